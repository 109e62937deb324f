using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>What the checkout tests do over and over, through the gateway as a client would.</summary>
public static class Shop
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly object Address = new { name = "Ada Shopper", line1 = "1 Test Street", city = "Testville", postalCode = "10001", country = "US" };

    public static readonly string[] Terminal = ["Confirmed", "Cancelled", "Shipped", "PartiallyShipped"];

    /// <summary>A published product of the development merchant with <paramref name="units"/> in stock; returns its id and SKU.</summary>
    public static async Task<(Guid ProductId, string Sku)> ProductWithStockAsync(HttpClient merchant, string title, int units, decimal price = 25m)
    {
        var sku = $"E2E-{Guid.NewGuid():N}"[..24].ToUpperInvariant();
        using var created = await merchant.PostAsJsonAsync("/api/catalog/products", CatalogManagementTests.NewProduct(title, sku, price), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using var published = await merchant.PostAsync($"/api/catalog/products/{id}/publish", null, Ct);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        await SetStockAsync(merchant, sku, units);
        return (id, sku);
    }

    public static async Task<JsonElement> SetStockAsync(HttpClient merchant, string sku, int onHand)
    {
        using var response = await merchant.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"setting stock of {sku} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public static async Task<JsonElement> StockAsync(HttpClient merchant, string sku) =>
        await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}", Ct);

    public static object Order(string sku, int quantity = 1, string paymentMethod = "pm_card_visa", decimal? expectedTotal = null) => new
    {
        lines = new[] { new { sku, quantity } },
        shippingAddress = Address,
        paymentMethod,
        expectedTotal,
    };

    public static async Task<HttpResponseMessage> PlaceAsync(HttpClient shopper, object order, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(order) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await shopper.SendAsync(request, Ct);
    }

    /// <summary>Places an order that must be accepted; returns its id.</summary>
    public static async Task<Guid> PlaceAcceptedAsync(HttpClient shopper, object order)
    {
        using var response = await PlaceAsync(shopper, order);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"placing the order answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> OrderAsync(HttpClient client, Guid id) => await client.GetFromJsonAsync<JsonElement>($"/api/orders/{id}", Ct);

    /// <summary>The order once <paramref name="done"/> holds for it (the saga is asynchronous); fails after <paramref name="seconds"/>.</summary>
    public static async Task<JsonElement> OrderWhenAsync(HttpClient client, Guid id, Func<JsonElement, bool> done, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var order = await OrderAsync(client, id);
            if (done(order))
            {
                return order;
            }
            Assert.True(DateTime.UtcNow < deadline, $"order {id} did not get there in {seconds} s: {order}");
            await Task.Delay(150, Ct);
        }
    }

    public static Task<JsonElement> OrderInStatusAsync(HttpClient client, Guid id, string status, int seconds = 30) =>
        OrderWhenAsync(client, id, o => o.GetProperty("status").GetString() == status, seconds);

    public static string Status(this JsonElement order) => order.GetProperty("status").GetString()!;

    /// <summary>Inventory's own check: every level equals the sum of its ledger and of the holds on it.</summary>
    public static async Task AssertLedgerConsistentAsync(HttpClient admin)
    {
        var report = await admin.GetFromJsonAsync<JsonElement>("/api/inventory/consistency", Ct);
        Assert.True(report.GetProperty("mismatches").GetArrayLength() == 0, $"ledger and levels disagree: {report}");
        Assert.True(report.GetProperty("levels").GetInt64() > 0);
    }

    /// <summary>Waits until <paramref name="check"/> passes (eventually consistent effects); rethrows its last failure after the deadline.</summary>
    public static async Task EventuallyAsync(Func<Task> check, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                await check();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }
    }
}
