using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

[assembly: AssemblyFixture(typeof(Marketplace.Gateway.Tests.Edge))]

namespace Marketplace.Gateway.Tests;

/// <summary>
/// The gateway as it runs (its own Program, on Kestrel so the client's address is a real peer), in front of
/// <see cref="Backends"/>, with tokens signed by the test instead of Identity. Settings per instance, so a test can
/// give an instance limits of its own.
/// </summary>
public sealed class GatewayApp : WebApplicationFactory<Program>
{
    public const string Issuer = "https://identity.tests.marketplace";
    public const string ProxyKey = "gateway-tests-proxy-key";
    private static readonly SymmetricSecurityKey SigningKey = new("gateway-tests-signing-key-0123456789abcdef-0123"u8.ToArray());

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
        builder.ConfigureTestServices(services => services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            o.Configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
            o.Configuration.SigningKeys.Add(SigningKey);
            o.TokenValidationParameters.ValidIssuer = Issuer;
        }));
    }

    public HttpClient Anonymous() => CreateClient();

    /// <summary>A client with a shopper's token for <paramref name="audience"/> (any of our services' audiences passes the edge).</summary>
    public HttpClient ClientFor(Guid userId, string audience = "ordering")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = userId.ToString(), ["role"] = "shopper" },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        }));
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
