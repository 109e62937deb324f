using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Marketplace.Testing;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Marketplace.EndToEnd.Tests.MarketplaceAppFixture))]

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// The whole app model in host mode, started once for the assembly (starting Aspire costs ~30 s),
/// on a fresh data directory so every run begins from empty stores.
/// </summary>
public sealed class MarketplaceAppFixture : IAsyncLifetime
{
    public static readonly string[] Services =
        ["identity", "users", "catalog", "inventory", "ordering", "payment", "search", "notification", "gateway", "web", "payment-provider", "warehouse"];

    public static readonly string[] Infrastructure = ["postgres", "redis", "rabbitmq", "smtp"];

    /// <summary>Orders one shopper may place per minute through the gateway in the tests (10 by default).</summary>
    public const int OrderPermits = 100;

    /// <summary>Anonymous requests one client address may make per minute through the gateway in the tests (300 by default).</summary>
    public const int AnonymousPermits = 1000;

    private readonly string _dataDir = RepositoryRoot.NewScratchDirectory("marketplace-e2e");
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    public TimeSpan StartupTime { get; private set; }

    /// <summary>The broker as the services reach it (<c>amqp://user:pass@host:port</c>).</summary>
    public string BrokerConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Marketplace_AppHost>(
            ["--infra", "host", $"--Marketplace:DataDir={_dataDir}", "--environment", "Development",
             // A small catalogue keeps start-up short; two Catalog replicas prove cache invalidation across instances.
             "--Catalog:SeedProducts=300", "--Catalog:Replicas=2",
             // A payment unanswered for 15 s is given up (minutes in production), so the outage test ends soon;
             // long enough for an Ordering restart to finish first.
             "--Ordering:PaymentTimeout=00:00:15",
             // With the tests' own load on two cores, a background service at the lower CPU priority of local runs can
             // miss that 15 s (seen with more tests at once); the tests give every service the same priority.
             "--Marketplace:BackgroundPriority=Normal",
             // The concurrency tests place many orders per shopper; the order limit itself is tested at this value.
             $"--Gateway:RateLimits:OrderPermits={OrderPermits}",
             // Every test's anonymous calls share 127.0.0.1's bucket; ClientAddressTests exhausts a visitor's own at this value.
             $"--Gateway:RateLimits:PerAddressPermits={AnonymousPermits}",
             // The external warehouse: a short break and retry ceiling so the outage test sees recovery soon; no
             // scheduled feed reads or snapshots, so only the tests' own calls move its stock (reconciliation is asked for).
             "--Inventory:External:Systems:northwind:BreakDuration=00:00:03",
             "--Inventory:External:Systems:northwind:RetryMaxDelay=00:00:02",
             "--Inventory:External:Systems:northwind:CsvPollInterval=00:00:00",
             "--Warehouse:SnapshotInterval=00:00:00",
             // The tests play a trusted edge in front of the web app, to stand for storefront visitors at many addresses.
             "--ClientAddress:WebTrustedProxies=127.0.0.1"],
            (options, _) => options.DisableDashboard = true);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        Marketplace.AppHost.Infrastructure.TelemetryExport.WithoutTelemetryExport(builder.Resources);

        _app = await builder.BuildAsync();
        _watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in _app.ResourceNotifications.WatchAsync(_stopWatching.Token))
                {
                    _instances[e.ResourceId] = e;
                }
            }
            catch (OperationCanceledException)
            {
                // disposed
            }
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await _app.StartAsync(cts.Token);
        try
        {
            foreach (var name in Infrastructure.Concat(Services))
            {
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
            }
            // With replicas, the wait above is satisfied by one of them: wait for every instance.
            while (!Infrastructure.Concat(Services).SelectMany(Instances).All(IsHealthy))
            {
                await Task.Delay(200, cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The app did not become healthy within 5 minutes: " + DescribeResources() + await LogsOfStoppedResourcesAsync());
        }
        catch (DistributedApplicationException e)
        {
            throw new InvalidOperationException($"{e.Message} {DescribeResources()}{await LogsOfStoppedResourcesAsync()}", e);
        }
        BrokerConnectionString = await _app.GetConnectionStringAsync("rabbitmq", cts.Token)
            ?? throw new InvalidOperationException("The app model gives RabbitMQ no connection string.");
        StartupTime = stopwatch.Elapsed;
        Console.WriteLine($"Marketplace app healthy in {StartupTime.TotalSeconds:F1} s");
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ResourceEvent> _instances = new();
    private readonly CancellationTokenSource _stopWatching = new();
    private Task? _watch;

    /// <summary>The running instances of a resource: its replicas' ids when it has several (Catalog does here).</summary>
    public IEnumerable<string> Instances(string resource) =>
        _instances.Values.Where(e => e.Resource.Name == resource).Select(e => e.ResourceId).Distinct();

    /// <summary>The last lines each resource that stopped wrote, for the failure message.</summary>
    private async Task<string> LogsOfStoppedResourcesAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var stopped in _instances.Values.Where(e => e.Snapshot.State?.Text is "Finished" or "Exited" or "FailedToStart"))
        {
            var lines = await LogOfAsync(stopped.ResourceId);
            text.Append($"{Environment.NewLine}--- {stopped.ResourceId}, last lines:{Environment.NewLine}").AppendJoin(Environment.NewLine, lines.TakeLast(40));
        }
        return text.ToString();
    }

    /// <summary>The lines of every instance of <paramref name="resource"/>'s log so far that contain <paramref name="text"/>.</summary>
    public async Task<List<string>> LogLinesAsync(string resource, string text)
    {
        var found = new List<string>();
        foreach (var instance in Instances(resource))
        {
            found.AddRange((await LogOfAsync(instance)).Where(l => l.Contains(text, StringComparison.Ordinal)));
        }
        return found;
    }

    /// <summary>An instance's log so far: the backlog the logger service replays, read for 3 s.</summary>
    private async Task<List<string>> LogOfAsync(string instance)
    {
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await foreach (var batch in App.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(instance).WithCancellation(timeout.Token))
            {
                lines.AddRange(batch.Select(l => l.Content));
            }
        }
        catch (OperationCanceledException)
        {
            // the backlog has been read
        }
        return lines;
    }

    public bool IsHealthy(string instance) =>
        _instances.TryGetValue(instance, out var e) && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy;

    private string DescribeResources() => string.Join("; ", Infrastructure.Concat(Services).SelectMany(Instances).Select(id =>
        _instances.TryGetValue(id, out var e) ? $"{id}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}" : $"{id}=unknown"));

    public HttpClient CreateClient(string resource) => App.CreateHttpClient(resource, "http");

    /// <summary>A client without retries, for tests that must see a refusal (the standard handler retries 429).</summary>
    public HttpClient CreateRawClient(string resource) => new() { BaseAddress = App.GetEndpoint(resource, "http") };

    /// <summary>A client that shows redirects instead of following them (sign-in and OIDC flows).</summary>
    public HttpClient CreateClientWithoutRedirects(string resource) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.GetEndpoint(resource, "http") };

    public const string AllApiScopes = "openid profile email roles catalog inventory ordering payment search users notification";

    /// <summary>The password grant of the development client, through the gateway's token endpoint.</summary>
    public async Task<HttpResponseMessage> PasswordGrantAsync(string user, string password, string scope = AllApiScopes, string clientId = "marketplace-dev")
    {
        using var gateway = CreateClient("gateway");
        return await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = clientId,
            ["username"] = user, ["password"] = password, ["scope"] = scope,
        }));
    }

    /// <summary>An access token for a development account.</summary>
    public async Task<string> TokenAsync(string user, string scope = AllApiScopes)
    {
        using var response = await PasswordGrantAsync(user, "Pass123$", scope);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// The profile behind <paramref name="client"/>'s token, once Users has created it from the account's
    /// UserRegistered event (moments after registration or seeding); only a 404 is waited out.
    /// </summary>
    public static async Task<JsonElement> ProfileEventuallyAsync(HttpClient client, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/api/users/me", ct);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            }
            await Task.Delay(300, ct);
        }
    }

    /// <summary>A gateway client carrying a development account's token.</summary>
    public async Task<HttpClient> ClientForAsync(string user)
    {
        var client = CreateRawClient("gateway");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await TokenAsync(user));
        return client;
    }

    /// <summary>A client straight to one of our services carrying <paramref name="clientId"/>'s own service token (client credentials).</summary>
    public async Task<HttpClient> ServiceClientAsync(string clientId, string scope, string resource)
    {
        using var gateway = CreateClient("gateway");
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId,
            ["client_secret"] = Secret($"{clientId}-client-secret"), ["scope"] = scope,
        }));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var client = CreateRawClient(resource);
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.RootElement.GetProperty("access_token").GetString());
        return client;
    }

    /// <summary>
    /// Tells a service the client's address the way our gateway does: with the shared proxy key, without which no
    /// service believes a forwarded address. Lets a test stand for clients at different addresses.
    /// </summary>
    public void ActFor(System.Net.Http.Headers.HttpHeaders headers, string clientAddress)
    {
        headers.Add(Microsoft.Extensions.Hosting.ClientAddress.VisitorHeader, clientAddress);
        headers.Add(Microsoft.Extensions.Hosting.ClientAddress.ProxyKeyHeader, Secret("proxy-key"));
    }

    /// <summary>A secret the AppHost generated for this run (e.g. a service's OAuth client secret).</summary>
    public string Secret(string name) => File.ReadAllText(Path.Combine(_dataDir, "secrets", name)).Trim();

    /// <summary>Opens an account through Identity's registration page, as a browser would post it.</summary>
    public async Task<HttpResponseMessage> RegisterAsync(string email, string displayName, string password, string? confirm = null)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = App.GetEndpoint("gateway", "http") };
        var page = await client.GetStringAsync("/account/register");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Input.DisplayName"] = displayName, ["Input.Email"] = email,
            ["Input.Password"] = password, ["Input.ConfirmPassword"] = confirm ?? password,
        }));
    }

    /// <summary>A fresh shopper account of its own, so a test's changes meet no other test's.</summary>
    public async Task<string> NewShopperAsync(string name)
    {
        var email = $"{name.ToLowerInvariant().Replace(' ', '.')}.{Guid.NewGuid():N}@marketplace.test";
        using var response = await RegisterAsync(email, name, "Pass123$");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return email;
    }

    /// <summary>
    /// The payment provider simulator's own book of an order: its intents, captures and refunds (in cents).
    /// An order the provider never heard of has none of them.
    /// </summary>
    public async Task<JsonElement> ProviderOrderAsync(Guid orderId)
    {
        using var provider = CreateRawClient("payment-provider");
        using var response = await provider.GetAsync($"/sim/orders/{orderId}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return JsonDocument.Parse("""{"intents":[],"successfulCaptures":0,"capturedTotal":0,"refundedTotal":0}""").RootElement;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Changes the simulator's behaviour (latency, outage, decline rate); unnamed settings stay as they are.</summary>
    public async Task ProviderSettingsAsync(object settings)
    {
        using var provider = CreateClient("payment-provider");
        using var response = await provider.PutAsJsonAsync("/sim/settings", settings);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every e-mail the SMTP sink received, as raw messages (the sink writes a maildir).</summary>
    public IReadOnlyList<string> Mail()
    {
        var newMail = Path.Combine(_dataDir, "mail", "new");
        return Directory.Exists(newMail) ? [.. Directory.EnumerateFiles(newMail).Select(File.ReadAllText)] : [];
    }

    /// <summary>
    /// Crashes a service (SIGKILL to its process: no graceful shutdown, whatever it was doing is cut off),
    /// keeps it down for a while, starts it again through the orchestrator and waits until it is healthy.
    /// </summary>
    public async Task CrashAndRestartAsync(string resource, TimeSpan downFor)
    {
        var instance = Assert.Single(Instances(resource));
        var pid = _instances[instance].Snapshot.Properties.Single(p => p.Name == "executable.pid").Value;
        // The orchestrator runs a project as `dotnet run`, the service being its child: the whole tree goes.
        using (var process = Process.GetProcessById(Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (_instances[instance].Snapshot.State?.Text == "Running")
        {
            await Task.Delay(100, cts.Token);
        }
        await Task.Delay(downFor, cts.Token);
        var started = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(instance, "resource-start", cts.Token);
        Assert.True(started.Success, $"starting {instance}: {started.Message}");
        while (!IsHealthy(instance) || _instances[instance].Snapshot.State?.Text != "Running")
        {
            await Task.Delay(200, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWatching.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }
        _stopWatching.Dispose();
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
