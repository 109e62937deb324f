using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Warehouse;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Marketplace.Inventory.Tests;

/// <summary>
/// The warehouse simulator in memory (its own Program), posting its webhooks over real HTTP to a
/// <see cref="WebhookReceiver"/>. One per test class: tests in a class take turns, so a test may
/// flip a switch as long as it flips it back.
/// </summary>
public sealed class WarehouseSimulator : WebApplicationFactory<StockBook>, IAsyncLifetime
{
    public const string ApiKey = "wh_test_inventory_tests";
    public const string WebhookSecret = "whsec_inventory_tests";

    public WebhookReceiver Receiver { get; private set; } = null!;

    public HttpClient Client => field ??= CreateClient();

    public async ValueTask InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Warehouse:ApiKey", ApiKey);
        builder.UseSetting("Warehouse:WebhookSecret", WebhookSecret);
        builder.UseSetting("Warehouse:WebhookUrl", Receiver.Url);
        builder.UseSetting("Warehouse:SnapshotInterval", "00:00:00");
        builder.UseSetting("Warehouse:WebhookFirstRetryDelay", "00:00:00.050");
        builder.UseSetting("Warehouse:WebhookMaxRetryDelay", "00:00:00.200");
    }

    public static string NewSku(string prefix = "SKU") => $"{prefix}-{Guid.NewGuid():N}";

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? idempotencyKey = null, string? apiKey = ApiKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> AdjustAsync(string sku, int delta, string idempotencyKey, string reason = "test") =>
        SendAsync(HttpMethod.Post, "/api/adjustments", new { sku, delta, reason }, idempotencyKey);

    public async Task<StockChange> AdjustedAsync(string sku, int delta)
    {
        using var response = await AdjustAsync(sku, delta, Guid.NewGuid().ToString());
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<StockChange>(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Sets the level through the console (no gate), as a count in the warehouse would.</summary>
    public async Task<StockItem> CountAsync(string sku, int onHand)
    {
        using var response = await Client.PutAsJsonAsync($"/sim/stock/{Uri.EscapeDataString(sku)}", new { onHand }, TestContext.Current.CancellationToken);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<StockItem>(TestContext.Current.CancellationToken))!;
    }

    public async Task<StockItem?> StockAsync(string sku)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/stock/{Uri.EscapeDataString(sku)}");
        return response.StatusCode == System.Net.HttpStatusCode.NotFound
            ? null
            : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<StockItem>(TestContext.Current.CancellationToken);
    }

    public async Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(string sku) =>
        (await Client.GetFromJsonAsync<List<RequestLogEntry>>($"/sim/requests?sku={Uri.EscapeDataString(sku)}", TestContext.Current.CancellationToken))!;

    public async Task<IReadOnlyList<DeliveryLogEntry>> DeliveriesAsync(string sku) =>
        (await Client.GetFromJsonAsync<List<DeliveryLogEntry>>($"/sim/deliveries?sku={Uri.EscapeDataString(sku)}", TestContext.Current.CancellationToken))!;

    public async Task SetAsync(object settings)
    {
        using var response = await Client.PutAsJsonAsync("/sim/settings", settings, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every switch back to how the configuration started it.</summary>
    public Task ResetSwitchesAsync() => SetAsync(new WarehouseSettingsUpdate(0, false, 0, false, false, false, true));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string because)
    {
        var timeout = TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout}: {because}");
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }
}
