using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Marketplace.Gateway.Tests;

/// <summary>One request as a service behind the edge received it.</summary>
public sealed record Received(string Service, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Every service the gateway routes to, played by one Kestrel app listening on a port per service: it answers 200 with
/// the service's name and records what reached it, so a test sees where a request went and what the edge added.
/// </summary>
public sealed class Backends : IAsyncDisposable
{
    public static readonly string[] Services = ["identity", "catalog", "inventory", "ordering", "payment", "search", "users", "notification"];

    private readonly Dictionary<int, string> _byPort = [];
    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication? _app;

    public IEnumerable<(string Service, string Address)> Addresses => _byPort.Select(p => (p.Value, $"http://127.0.0.1:{p.Key}"));

    /// <summary>What reached any service for a path containing <paramref name="marker"/>.</summary>
    public IReadOnlyList<Received> For(string marker) => [.. _received.Where(r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal))];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // One port per service, each picked by the system as it binds (no port chosen first and taken by someone else meanwhile).
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var _ in Services)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        _app = builder.Build();
        _app.Run(async context =>
        {
            var service = _byPort[context.Connection.LocalPort];
            _received.Enqueue(new Received(service, context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await context.Response.WriteAsJsonAsync(new { service });
        });
        await _app.StartAsync();
        foreach (var (address, service) in _app.Urls.Zip(Services))
        {
            _byPort[new Uri(address).Port] = service;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
