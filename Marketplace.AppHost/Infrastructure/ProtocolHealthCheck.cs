using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.AppHost.Infrastructure;

/// <summary>
/// Health of a host-mode server, judged by speaking its protocol: endpoints are proxied by the
/// orchestrator, so a bare TCP connect succeeds even when nothing listens behind the proxy.
/// </summary>
internal sealed class ProtocolHealthCheck(EndpointReference endpoint, byte[] request, Func<byte[], int, bool> isHealthyReply) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!endpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy("Endpoint not allocated yet");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            var stream = client.GetStream();
            if (request.Length > 0)
            {
                await stream.WriteAsync(request, timeout.Token);
            }
            var reply = new byte[64];
            var read = await stream.ReadAsync(reply, timeout.Token);
            return read > 0 && isHealthyReply(reply, read)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Unexpected reply: {Encoding.ASCII.GetString(reply, 0, read)}");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    public static IResourceBuilder<T> WithProtocolHealthCheck<T>(IResourceBuilder<T> builder, string endpointName, byte[] request, Func<byte[], int, bool> isHealthyReply)
        where T : IResourceWithEndpoints
    {
        var key = $"{builder.Resource.Name}_protocol_check";
        var endpoint = builder.Resource.GetEndpoint(endpointName);
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => new ProtocolHealthCheck(endpoint, request, isHealthyReply), HealthStatus.Unhealthy, tags: null));
        return builder.WithHealthCheck(key);
    }
}
