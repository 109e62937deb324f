using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using Marketplace.Shared.Mail;

namespace Marketplace.Notification.Email;

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
