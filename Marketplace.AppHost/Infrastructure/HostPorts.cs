using System.Net;
using System.Net.Sockets;

namespace Marketplace.AppHost.Infrastructure;

/// <summary>
/// Ports of the host-mode servers (PostgreSQL, RabbitMQ, Redis). Each listens on a port the AppHost asks the OS for once
/// at start-up, with no orchestrator proxy in front: the proxy was one more hop and one more process's CPU on every
/// database, broker and cache round trip (DCP used 5–8 % of the machine during a flash sale, measured with perf), and a
/// port fixed for the AppHost's life is the one a restarted server comes back on, which the services' connection strings
/// name (an endpoint without a proxy whose port the orchestrator allocates may come back on another).
/// </summary>
internal static class HostPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A TCP endpoint, not proxied, on <paramref name="port"/> (a free one when not given); <paramref name="env"/> names the
    /// variable that tells the server its port.
    /// </summary>
    public static IResourceBuilder<T> WithDirectTcpEndpoint<T>(this IResourceBuilder<T> resource, string name, string? env = null, int? port = null)
        where T : IResourceWithEndpoints
    {
        var fixedPort = port ?? Free();
        return resource.WithEndpoint(name: name, scheme: "tcp", port: fixedPort, targetPort: fixedPort, env: env, isProxied: false);
    }
}
