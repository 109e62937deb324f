using System.Net.Http.Headers;
using Marketplace.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Marketplace.Gateway.Tests.Edge))]

namespace Marketplace.Gateway.Tests;

/// <summary>
/// The gateway as it runs (its own Program, on Kestrel so the client's address is a real peer), in front of
/// <see cref="Backends"/>, with tokens signed by the test instead of Identity. Settings per instance, so a test can
/// give an instance limits of its own.
/// </summary>
public sealed class GatewayApp : WebApplicationFactory<Program>
{
    public const string ProxyKey = "gateway-tests-proxy-key";

    private readonly Backends _backends;
    private readonly Dictionary<string, string> _settings;

    public GatewayApp(Backends backends, Dictionary<string, string>? settings = null)
    {
        _backends = backends;
        _settings = settings ?? [];
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (service, address) in _backends.Addresses)
        {
            builder.UseSetting($"Services:{service}:http:0", address);
        }
        builder.UseSetting("ClientAddress:ProxyKey", ProxyKey);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services => services.TrustTestTokens());
    }

    public HttpClient Anonymous() => CreateClient();

    /// <summary>A client with a shopper's token for <paramref name="audience"/> (any of our services' audiences passes the edge).</summary>
    public HttpClient ClientFor(Guid userId, string audience = "ordering")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create(userId, audience, ["shopper"]));
        return client;
    }
}

/// <summary>The backends and one gateway with the default settings (but a small order limit), for the assembly.</summary>
public sealed class Edge : IAsyncLifetime
{
    public const int OrderPermits = 2;

    public Backends Backends { get; } = new();
    public GatewayApp Gateway { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Backends.StartAsync();
        Gateway = new GatewayApp(Backends, new() { ["Gateway:RateLimits:OrderPermits"] = OrderPermits.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        await Backends.DisposeAsync();
    }
}
