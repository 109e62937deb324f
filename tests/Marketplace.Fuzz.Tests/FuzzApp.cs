using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Marketplace.Testing;

[assembly: AssemblyFixture(typeof(Marketplace.Fuzz.Tests.FuzzApp))]

namespace Marketplace.Fuzz.Tests;

/// <summary>
/// The whole app in host mode on a fresh data directory, for the fuzzer alone: nothing else changes its stores,
/// so a digest of them taken before and after the malformed requests must not move.
/// </summary>
public sealed class FuzzApp : IAsyncLifetime
{
    /// <summary>Services whose OpenAPI documents describe the public API reached through the gateway.</summary>
    public static readonly string[] Services = ["identity", "users", "catalog", "inventory", "ordering", "payment", "search", "notification"];

    private static readonly string[] Waited = ["postgres", "redis", "rabbitmq", "smtp", .. Services, "gateway", "payment-provider", "warehouse"];

    public static readonly string[] Databases = ["identitydb", "usersdb", "catalogdb", "inventorydb", "orderingdb", "paymentdb", "notificationdb"];

    private readonly string _dataDir = RepositoryRoot.NewScratchDirectory("marketplace-fuzz");
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async ValueTask InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Marketplace_AppHost>(
            ["--infra", "host", $"--Marketplace:DataDir={_dataDir}", "--environment", "Development",
             "--Catalog:SeedProducts=50",
             // The fuzzer sends thousands of requests a minute from one address: limits would hide the answers it checks.
             "--Gateway:RateLimits:PerUserPermits=1000000", "--Gateway:RateLimits:PerAddressPermits=1000000",
             "--Gateway:RateLimits:OrderPermits=1000000",
             // Nothing but the fuzzer's requests may move the stores: no scheduled feed reads or snapshots.
             "--Inventory:External:Systems:northwind:CsvPollInterval=00:00:00", "--Warehouse:SnapshotInterval=00:00:00"],
            (options, _) => options.DisableDashboard = true);
        Marketplace.AppHost.Infrastructure.TelemetryExport.WithoutTelemetryExport(builder.Resources);
        _app = await builder.BuildAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await _app.StartAsync(cts.Token);
        foreach (var name in Waited)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
        }
        Console.WriteLine($"Fuzz app healthy in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>A client to the gateway that shows every answer as it is (no retries, no redirects followed).</summary>
    public HttpClient Gateway() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = App.GetEndpoint("gateway", "http"),
            Timeout = TimeSpan.FromSeconds(60),
        };

    public HttpClient Service(string name) => App.CreateHttpClient(name, "http");

    public async Task<string> ConnectionStringAsync(string name) =>
        await App.GetConnectionStringAsync(name) ?? throw new InvalidOperationException($"No connection string for {name}.");

    /// <summary>An access token for a development account, by the development client's password grant.</summary>
    public async Task<string> TokenAsync(string user)
    {
        using var gateway = Gateway();
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["username"] = user, ["password"] = "Pass123$",
            ["scope"] = "openid profile email roles catalog inventory ordering payment search users notification",
        }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // postgres-owned files may resist; /tmp is cleaned by the OS.
        }
    }
}
