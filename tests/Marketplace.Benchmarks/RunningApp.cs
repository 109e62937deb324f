using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
    private readonly ConcurrentDictionary<string, ResourceEvent> _instances = new();
    private readonly CancellationTokenSource _stopWatching = new();

    private readonly string _logDirectory;
    private readonly List<Task> _logWriters = [];

    private RunningApp(DistributedApplication app, string dataDir)
    {
        _app = app;
        _logDirectory = Path.Combine(dataDir, "logs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_logDirectory);
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in app.ResourceNotifications.WatchAsync(_stopWatching.Token))
                {
                    if (_instances.TryAdd(e.ResourceId, e))
                    {
                        lock (_logWriters)
                        {
                            _logWriters.Add(WriteLogAsync(logs, e.ResourceId));
                        }
                    }
                    _instances[e.ResourceId] = e;
                }
            }
            catch (OperationCanceledException)
            {
                // disposed
            }
        });
    }

    /// <summary>Where every resource's console output of this run is kept, one file per instance (the figures show only the AppHost's warnings).</summary>
    public string LogDirectory => _logDirectory;

    private async Task WriteLogAsync(ResourceLoggerService logs, string resourceId)
    {
        await using var file = new StreamWriter(Path.Combine(_logDirectory, resourceId + ".log"), append: true) { AutoFlush = false };
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(_stopWatching.Token))
            {
                foreach (var line in batch)
                {
                    await file.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss.fff} {(line.IsErrorMessage ? "E" : " ")} {line.Content}");
                }
                await file.FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    /// <param name="keepPorts">Keep configured ports (such as <c>--Gateway:Port</c>) instead of the testing builder's random ones.</param>
    public static async Task<RunningApp> StartAsync(string dataDir, IEnumerable<string> settings, bool keepPorts = false)
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
        if (keepPorts)
        {
            // The testing builder randomises every proxied port; set here, after it, so a fixed port stays fixed.
            builder.Configuration["DcpPublisher:RandomizePorts"] = "false";
        }
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
        var running = new RunningApp(app, dataDir);
        AnsiConsole.MarkupLine($"App healthy in [bold]{stopwatch.Elapsed.TotalSeconds:F0} s[/] (data in {dataDir}, every resource's log in {running.LogDirectory})");
        return running;
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
    public async Task<string> TokenAsync(string user, string scope = EveryScope) => (await TokensAsync(PasswordGrant(user, scope))).Access;

    /// <summary>
    /// An access token and a refresh token for a development account (password grant with <c>offline_access</c>): the
    /// refresh token renews the access token later without the password, so without its hash.
    /// </summary>
    public Task<(string Access, string? Refresh)> SignInForLongAsync(string user) => TokensAsync(PasswordGrant(user, $"{EveryScope} offline_access"));

    private const string EveryScope = "openid profile email roles catalog inventory ordering payment search users notification";

    private static Dictionary<string, string> PasswordGrant(string user, string scope) => new()
    {
        ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["username"] = user, ["password"] = "Pass123$", ["scope"] = scope,
    };

    /// <summary>A new access token (and the refresh token that replaces the one used), or null when the refresh token is refused.</summary>
    public async Task<(string Access, string? Refresh)?> RefreshAsync(string refreshToken)
    {
        try
        {
            return await TokensAsync(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token", ["client_id"] = "marketplace-dev", ["refresh_token"] = refreshToken,
            });
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            return null; // expired, revoked or redeemed: the caller signs in again
        }
    }

    private async Task<(string Access, string? Refresh)> TokensAsync(Dictionary<string, string> form)
    {
        using var gateway = Client();
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        response.EnsureSuccessStatusCode();
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (tokens.GetProperty("access_token").GetString()!,
            tokens.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null);
    }

    public async Task<HttpClient> ClientForAsync(string user) => ClientWithToken(await TokenAsync(user));

    public HttpClient ClientWithToken(string token)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>The running instances of a resource (its replicas' ids when it has several).</summary>
    private List<string> Instances(string resource) =>
        [.. _instances.Values.Where(e => e.Resource.Name == resource).Select(e => e.ResourceId).Distinct()];

    private int Pid(string instance) =>
        Convert.ToInt32(_instances[instance].Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);

    private bool IsHealthyAndRunning(string instance) =>
        _instances.TryGetValue(instance, out var e) && e.Snapshot.State?.Text == "Running" && e.Snapshot.HealthStatus == HealthStatus.Healthy;

    /// <summary>Kills every instance of the resource (its whole process tree), leaves it down, starts it again and waits until it is healthy.</summary>
    public async Task CrashAndRestartAsync(string resource, TimeSpan downFor, CancellationToken ct)
    {
        var instances = Instances(resource);
        foreach (var instance in instances)
        {
            using var process = Process.GetProcessById(Pid(instance));
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
        }
        while (instances.Any(i => _instances[i].Snapshot.State?.Text == "Running"))
        {
            await Task.Delay(100, ct);
        }
        await Task.Delay(downFor, ct);
        var commands = _app.Services.GetRequiredService<ResourceCommandService>();
        foreach (var instance in instances)
        {
            var started = await commands.ExecuteCommandAsync(instance, "resource-start", ct);
            if (!started.Success)
            {
                throw new InvalidOperationException($"starting {instance}: {started.Message}");
            }
        }
        while (!instances.All(IsHealthyAndRunning))
        {
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Stops every process of the resource (SIGSTOP to its whole tree) for a while, then lets it go on (SIGCONT): a stalled, not a dead, server.</summary>
    public async Task PauseAsync(string resource, TimeSpan pausedFor, CancellationToken ct)
    {
        var tree = Instances(resource).SelectMany(i => ProcessTree(Pid(i))).ToList();
        Signal("STOP", tree);
        try
        {
            await Task.Delay(pausedFor, ct);
        }
        finally
        {
            Signal("CONT", tree);
        }
    }

    private static void Signal(string signal, IEnumerable<int> pids)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))]))!;
        kill.WaitForExit();
    }

    /// <summary>The process and all its descendants, from /proc (parent id is field 4 of /proc/N/stat).</summary>
    private static List<int> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // gone meanwhile
                }
            }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }
        return tree;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWatching.CancelAsync();
        Task[] writers;
        lock (_logWriters)
        {
            writers = [.. _logWriters];
        }
        await Task.WhenAll(writers);
        await _app.DisposeAsync();
        _stopWatching.Dispose();
    }
}
