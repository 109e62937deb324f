using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Marketplace.Benchmarks;

/// <summary>
/// The whole app model in host mode, started the way the end-to-end tests start it, on a data directory
/// that survives the run (a 100,000-product catalogue is seeded and indexed once, then reused).
/// </summary>
public sealed class RunningApp : IAsyncDisposable
{
    private static readonly string[] Resources =
        ["postgres", "redis", "rabbitmq", "smtp", "identity", "users", "catalog", "inventory", "ordering", "payment", "search", "notification", "gateway", "payment-provider"];

    /// <summary>
    /// Every request comes from this one machine (one address, a few accounts), which the gateway's
    /// per-address and per-user limits would stop long before the services are measured; the per-user
    /// order limit stays (a flash-sale buyer places one order).
    /// </summary>
    public static readonly string[] OneClientMachine = ["--Gateway:RateLimits:PerAddressPermits=100000000", "--Gateway:RateLimits:PerUserPermits=100000000"];

    private readonly DistributedApplication _app;

    private RunningApp(DistributedApplication app) => _app = app;

    public static async Task<RunningApp> StartAsync(string dataDir, IEnumerable<string> settings)
    {
        var stopwatch = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Marketplace_AppHost>(
            ["--infra", "host", $"--Marketplace:DataDir={dataDir}", "--environment", "Development", .. settings],
            (options, _) => options.DisableDashboard = true);
        // The services' own log lines would drown the figures; warnings and errors still show.
        builder.Services.AddLogging(logging => logging
            .AddFilter("Marketplace.AppHost.Resources", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("Aspire", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning));
        Marketplace.AppHost.Infrastructure.TelemetryExport.WithoutTelemetryExport(builder.Resources);
        var app = await builder.BuildAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await app.StartAsync(cts.Token);
        await AnsiConsole.Status().StartAsync("Starting the app…", async context =>
        {
            foreach (var name in Resources)
            {
                context.Status($"Waiting for {name} to be healthy…");
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
            }
        });
        AnsiConsole.MarkupLine($"App healthy in [bold]{stopwatch.Elapsed.TotalSeconds:F0} s[/] (data in {dataDir})");
        return new RunningApp(app);
    }

    public Uri Gateway => _app.GetEndpoint("gateway", "http");

    public async Task<string> ConnectionStringAsync(string resource) =>
        await _app.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string.");

    public HttpClient Client(string resource = "gateway") => new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = _app.GetEndpoint(resource, "http"),
        Timeout = TimeSpan.FromSeconds(100),
    };

    /// <summary>An access token for a development account (password grant of the development client).</summary>
    public async Task<string> TokenAsync(string user, string scope = "openid profile email roles catalog inventory ordering payment search users notification")
    {
        using var gateway = Client();
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["username"] = user, ["password"] = "Pass123$", ["scope"] = scope,
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    public async Task<HttpClient> ClientForAsync(string user)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await TokenAsync(user));
        return client;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
