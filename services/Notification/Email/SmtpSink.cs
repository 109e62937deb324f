using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.Notification.Email;

/// <summary>
/// Where e-mail goes: <c>ConnectionStrings:smtp</c> as <c>smtp://host:port</c> (MailPit, aiosmtpd: plain,
/// no authentication) or <c>smtps://user:password@host:port</c> for a relay that wants TLS and a login.
/// </summary>
public sealed record SmtpEndpoint(string Host, int Port, bool UseTls = false, string? UserName = null, string? Password = null)
{
    public static SmtpEndpoint Parse(string connectionString)
    {
        var uri = new Uri(connectionString.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase)
            ? connectionString["Endpoint=".Length..]
            : connectionString);
        var useTls = uri.Scheme.Equals("smtps", StringComparison.OrdinalIgnoreCase);
        var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
        return new SmtpEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (useTls ? 465 : 25) : uri.Port, useTls,
            credentials is [{ Length: > 0 } user, var password] ? user : null,
            credentials is [{ Length: > 0 }, var secret] ? secret : null);
    }
}

public static class SmtpSinkExtensions
{
    public static IHostApplicationBuilder AddSmtpSink(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => SmtpEndpoint.Parse(
            sp.GetRequiredService<IConfiguration>().GetConnectionString("smtp")
            ?? throw new InvalidOperationException("Connection string 'smtp' is missing: the AppHost provides it with WithReference(smtp).")));
        builder.Services.AddHealthChecks().AddCheck<SmtpHealthCheck>("smtp");
        return builder;
    }
}

/// <summary>Healthy when the server greets with 220, as every SMTP server does on connect.</summary>
internal sealed class SmtpHealthCheck(SmtpEndpoint endpoint) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (endpoint.UseTls)
        {
            // The greeting comes after the TLS handshake; the sender's own failures show a TLS relay's health.
            return HealthCheckResult.Healthy("TLS endpoint: not probed");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            var buffer = new byte[256];
            var read = await client.GetStream().ReadAsync(buffer, timeout.Token);
            var greeting = Encoding.ASCII.GetString(buffer, 0, read);
            return greeting.StartsWith("220", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Unexpected greeting: {greeting}");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
