using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MassTransit;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Stock through the gateway and the bus: ownership, holds that expire, duplicates, and what follows stock (search, notifications).</summary>
public sealed class InventoryTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_merchant_keeps_the_stock_of_its_own_skus_only()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var rival = await fixture.ClientForAsync("merchant2@marketplace.test");
        using var shopper = await fixture.ClientForAsync("shopper@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var (_, sku) = await ProductWithStockAsync(merchant, "Counted Crate", units: 7);

        using var read = await merchant.GetAsync($"/api/inventory/{sku}", Ct);
        var etag = read.Headers.ETag!.ToString();
        using var received = await merchant.PostAsJsonAsync($"/api/inventory/{sku}/adjustments", new { delta = 5, reason = "delivery" }, Ct);
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/inventory/{sku}") { Content = JsonContent.Create(new { onHand = 1 }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        using var staleWrite = await merchant.SendAsync(stale, Ct);
        using var rivalRead = await rival.GetAsync($"/api/inventory/{sku}", Ct);
        using var rivalWrite = await rival.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = 0 }, Ct);
        using var shopperWrite = await shopper.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = 0 }, Ct);
        using var invalid = await merchant.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = -3, warehouse = "atlantis" }, Ct);
        using var unknown = await merchant.PutAsJsonAsync("/api/inventory/E2E-NOT-IN-CATALOGUE", new { onHand = 3 }, Ct);

        Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        Assert.Equal(12, (await received.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("onHand").GetInt32());
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleWrite.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, rivalRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, rivalWrite.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, shopperWrite.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var fields = (await invalid.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("onHand", fields);
        Assert.Contains("warehouse", fields);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(12, (await StockAsync(admin, sku)).GetProperty("available").GetInt32());
        var listed = await merchant.GetFromJsonAsync<JsonElement>("/api/inventory?pageSize=100", Ct);
        Assert.All(listed.GetProperty("items").EnumerateArray(), i => Assert.Equal("5a0f3c1e-0000-4000-8000-000000000001", i.GetProperty("merchantId").GetString()));
    }

    [Fact]
    public async Task Stock_cannot_be_counted_below_what_orders_hold()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Holder"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Held Hammock", units: 3);
        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 2));
        await OrderInStatusAsync(shopper, id, "Confirmed");

        using var below = await merchant.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = 1 }, Ct);
        using var atHeld = await merchant.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = 2 }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, below.StatusCode);
        Assert.Equal(HttpStatusCode.OK, atHeld.StatusCode);
        Assert.Equal(0, (await atHeld.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task An_expired_hold_puts_its_stock_back_on_sale()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var desk = await fixture.ServiceClientAsync("ordering", "inventory", "inventory");
        var (_, sku) = await ProductWithStockAsync(merchant, "Expiring Easel", units: 4);
        var orderId = Guid.NewGuid();

        using var held = await desk.PostAsJsonAsync("/internal/inventory/reservations", new { orderId, lines = new[] { new { sku, quantity = 3 } }, holdSeconds = 1 }, Ct);

        Assert.True((await held.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reserved").GetBoolean());
        Assert.Equal(1, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32());
        await EventuallyAsync(async () =>
        {
            var reservation = await desk.GetFromJsonAsync<JsonElement>($"/internal/inventory/reservations/{orderId}", Ct);
            Assert.Equal("Expired", reservation.GetProperty("status").GetString());
        });
        Assert.Equal(4, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32());
        var movements = await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct);
        Assert.Equal("Expire", movements[0].GetProperty("kind").GetString());
        await AssertLedgerConsistentAsync(admin);
    }

    [Fact]
    public async Task A_duplicated_message_and_a_resent_command_hold_stock_once()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var desk = await fixture.ServiceClientAsync("ordering", "inventory", "inventory");
        var (_, sku) = await ProductWithStockAsync(merchant, "Duplicated Drum", units: 10);
        var orderId = Guid.NewGuid();
        var command = new ReserveStock(orderId, [new StockLine(sku, 4)], DateTimeOffset.UtcNow.AddMinutes(10), DateTimeOffset.UtcNow);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => MessagingRegistration.ConfigureHost(cfg, fixture.BrokerConnectionString));
        await bus.StartAsync(Ct);
        try
        {
            var messageId = NewId.NextGuid();
            // The same message delivered twice (a broker redelivery), then the command sent again under a new id (a resend).
            await bus.Publish(command, c => c.MessageId = messageId, Ct);
            await bus.Publish(command, c => c.MessageId = messageId, Ct);
            await bus.Publish(command, c => c.MessageId = NewId.NextGuid(), Ct);

            await EventuallyAsync(async () =>
            {
                var reservation = await desk.GetFromJsonAsync<JsonElement>($"/internal/inventory/reservations/{orderId}", Ct);
                Assert.Equal("Held", reservation.GetProperty("status").GetString());
            });
            await Task.Delay(1000, Ct); // room for any late duplicate to do harm
            var stock = await StockAsync(merchant, sku);
            Assert.Equal((4, 6), (stock.GetProperty("reserved").GetInt32(), stock.GetProperty("available").GetInt32()));
            var reserves = (await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct)).EnumerateArray().Count(m => m.GetProperty("kind").GetString() == "Reserve");
            Assert.Equal(1, reserves);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Search_and_the_product_page_follow_stock_within_two_seconds()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var anonymous = fixture.CreateRawClient("gateway");
        var word = $"Stocky{Guid.NewGuid():N}"[..14];
        var (id, sku) = await ProductWithStockAsync(merchant, $"{word} Lantern", units: 0);
        await EventuallyAsync(async () => Assert.Equal(1, (await SearchAsync(anonymous, word, inStock: false)).GetProperty("total").GetInt32()));
        Assert.Equal(0, (await SearchAsync(anonymous, word, inStock: true)).GetProperty("total").GetInt32());

        await SetStockAsync(merchant, sku, 3);

        var started = DateTime.UtcNow;
        await EventuallyAsync(async () =>
        {
            var result = await SearchAsync(anonymous, word, inStock: true);
            Assert.True(Assert.Single(result.GetProperty("hits").EnumerateArray()).GetProperty("inStock").GetBoolean());
            Assert.Equal(1, result.GetProperty("facets").GetProperty("inStock").GetInt32());
        }, seconds: 10);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), $"search took {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms to see the stock");
        await EventuallyAsync(async () =>
        {
            var availability = await anonymous.GetFromJsonAsync<JsonElement>($"/api/catalog/products/{id}/availability", Ct);
            Assert.True(availability.GetProperty("inStock").GetBoolean());
            Assert.Equal(3, availability.GetProperty("variants")[0].GetProperty("available").GetInt32());
        });
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, string word, bool inStock) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/search?q={word}&inStock={inStock.ToString().ToLowerInvariant()}", Ct);

    [Fact]
    public async Task Falling_to_the_threshold_tells_the_merchant()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Low Stock Buyer"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Dwindling Doormat", units: 8);
        (await merchant.PutAsJsonAsync($"/api/inventory/{sku}", new { lowStockThreshold = 5 }, Ct)).Dispose();

        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 4));
        await OrderInStatusAsync(shopper, id, "Confirmed");

        await EventuallyAsync(async () =>
        {
            var notes = await merchant.GetFromJsonAsync<JsonElement>("/api/notifications?pageSize=100", Ct);
            Assert.Contains(notes.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "low-stock" && n.GetProperty("sku").GetString() == sku);
        });
        var low = await merchant.GetFromJsonAsync<JsonElement>("/api/inventory?lowStockOnly=true&pageSize=100", Ct);
        Assert.Contains(low.GetProperty("items").EnumerateArray(), i => i.GetProperty("sku").GetString() == sku && i.GetProperty("lowStock").GetBoolean());
    }
}
