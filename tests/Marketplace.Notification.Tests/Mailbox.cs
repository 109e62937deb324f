using Marketplace.Testing;
using MimeKit;

namespace Marketplace.Notification.Tests;

/// <summary>An aiosmtpd sink and the maildir it writes: what actually arrived over SMTP.</summary>
public sealed class Mailbox(string directory, int port)
{
    public int Port { get; } = port;
    public string ConnectionString => $"smtp://127.0.0.1:{Port}";
    public HostServer Server { get; } = HostServer.SmtpSink(directory, port);

    public IReadOnlyList<MimeMessage> To(string address)
    {
        var folder = Path.Combine(directory, "new");
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.GetFiles(folder)
            .Select(file => MimeMessage.Load(file))
            .Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    public async Task<MimeMessage> WaitForAsync(string address, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (To(address) is [var message, ..])
            {
                return message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No e-mail to {address} arrived in the maildir.");
    }
}
