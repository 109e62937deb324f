using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// The checkout saga on the running system: Ordering, Inventory, Payment (against the provider
/// simulator) and Notification over RabbitMQ, every invariant read back from the services.
/// </summary>
public sealed class CheckoutTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_paid_order_is_confirmed_charged_once_shipped_and_its_stock_leaves_for_good()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Happy Path"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Checkout Lamp", units: 5, price: 30m);

        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 2, expectedTotal: 60m));

        var confirmed = await OrderInStatusAsync(shopper, id, "Confirmed");
        Assert.Equal(60m, confirmed.GetProperty("total").GetDecimal());
        await EventuallyAsync(async () => Assert.Equal("Captured", (await OrderAsync(shopper, id)).GetProperty("payment").GetString()));
        var held = await StockAsync(merchant, sku);
        Assert.Equal((5, 2, 3), (held.GetProperty("onHand").GetInt32(), held.GetProperty("reserved").GetInt32(), held.GetProperty("available").GetInt32()));
        var provider = await fixture.ProviderOrderAsync(id);
        Assert.Equal(1, provider.GetProperty("successfulCaptures").GetInt32());

        using var shipped = await merchant.PostAsJsonAsync($"/api/merchant/orders/{id}/ship", new { trackingNumber = "TRACK-1" }, Ct);
        Assert.Equal(HttpStatusCode.OK, shipped.StatusCode);

        var done = await OrderInStatusAsync(shopper, id, "Shipped");
        Assert.Equal("TRACK-1", done.GetProperty("lines")[0].GetProperty("trackingNumber").GetString());
        Assert.Equal(["Pending", "AwaitingPayment", "Confirmed", "Shipped"], done.GetProperty("history").EnumerateArray().Select(t => t.GetProperty("to").GetString()));
        await EventuallyAsync(async () =>
        {
            var after = await StockAsync(merchant, sku);
            Assert.Equal((3, 0, 3), (after.GetProperty("onHand").GetInt32(), after.GetProperty("reserved").GetInt32(), after.GetProperty("available").GetInt32()));
        });
        await AssertLedgerConsistentAsync(admin);
        var movements = await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct);
        Assert.Equal(["Commit", "Reserve", "Adjustment"], movements.EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Twenty_concurrent_requests_with_one_key_place_one_order()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Double Clicker"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Idempotent Kettle", units: 50);
        var key = Guid.NewGuid().ToString();
        var order = Order(sku);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PlaceAsync(shopper, order, key)));

        var bodies = new List<JsonElement>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                bodies.Add(await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
            }
        }
        var id = Assert.Single(bodies.Select(b => b.GetProperty("id").GetGuid()).Distinct());
        Assert.Equal(19, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        var mine = await shopper.GetFromJsonAsync<JsonElement>("/api/orders", Ct);
        Assert.Equal(id, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        await OrderInStatusAsync(shopper, id, "Confirmed");
        Assert.Equal(1, (await StockAsync(merchant, sku)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_key_needs_its_own_body_and_an_order_needs_a_key()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Key Reuser"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Reused Key Mug", units: 5);
        var key = Guid.NewGuid().ToString();
        using var first = await PlaceAsync(shopper, Order(sku, quantity: 1), key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var otherBody = await PlaceAsync(shopper, Order(sku, quantity: 2), key);
        using var noKey = await shopper.PostAsJsonAsync("/api/orders", Order(sku), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Contains("Idempotency-Key", (await noKey.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        var mine = await shopper.GetFromJsonAsync<JsonElement>("/api/orders", Ct);
        Assert.Equal(1, mine.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_refused_order_is_answered_the_same_way_when_retried_and_changes_nothing()
    {
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Sloppy Typist"));
        var key = Guid.NewGuid().ToString();
        var bad = new { lines = new[] { new { sku = "NO-SUCH-SKU-ANYWHERE", quantity = 0 } }, shippingAddress = new { name = "" }, paymentMethod = "" };

        using var first = await PlaceAsync(shopper, bad, key);
        using var again = await PlaceAsync(shopper, bad, key);

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        var problem = await first.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("lines[0].quantity", fields);
        Assert.Contains("shippingAddress.line1", fields);
        Assert.Contains("shippingAddress.country", fields);
        Assert.Contains("paymentMethod", fields);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, (await shopper.GetFromJsonAsync<JsonElement>("/api/orders", Ct)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_unknown_sku_and_a_changed_price_are_refused_before_anything_is_held()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Price Watcher"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Repriced Chair", units: 5, price: 80m);

        using var unknown = await PlaceAsync(shopper, Order("E2E-NEVER-SOLD"));
        using var stale = await PlaceAsync(shopper, Order(sku, expectedTotal: 70m));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("lines[0].sku", (await unknown.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(80m, (await stale.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("total").GetDecimal());
        Assert.Equal(0, (await StockAsync(merchant, sku)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_declined_card_cancels_the_order_with_the_reason_and_releases_the_stock()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Declined Card"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Declined Desk", units: 3);

        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 2, paymentMethod: "pm_card_declined"));

        var cancelled = await OrderInStatusAsync(shopper, id, "Cancelled");
        Assert.StartsWith("Payment declined", cancelled.GetProperty("cancelReason").GetString());
        Assert.Equal("Declined", cancelled.GetProperty("payment").GetString());
        await EventuallyAsync(async () => Assert.Equal(3, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32()));
        await AssertLedgerConsistentAsync(admin);
        Assert.Equal(0, (await fixture.ProviderOrderAsync(id)).GetProperty("successfulCaptures").GetInt32());
    }

    [Fact]
    public async Task A_shopper_cancels_a_confirmed_order_and_gets_the_money_and_the_stock_back()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Changed Mind"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Regretted Rug", units: 4, price: 40m);
        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 1));
        await OrderInStatusAsync(shopper, id, "Confirmed");

        using var cancel = await shopper.PostAsJsonAsync($"/api/orders/{id}/cancel", new { reason = "found it cheaper" }, Ct);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await cancel.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Cancelled", cancelled.Status());
        Assert.Contains("found it cheaper", cancelled.GetProperty("cancelReason").GetString());
        var history = cancelled.GetProperty("history").EnumerateArray().Last();
        Assert.StartsWith("buyer:", history.GetProperty("actor").GetString());
        await EventuallyAsync(async () => Assert.Equal(4, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32()));
        await EventuallyAsync(async () =>
        {
            var provider = await fixture.ProviderOrderAsync(id);
            var captured = provider.GetProperty("capturedTotal").GetInt64();
            var refunded = provider.GetProperty("refundedTotal").GetInt64();
            // Refunded in full if the capture landed first; otherwise voided and never charged.
            Assert.Equal(captured, refunded);
            Assert.True(await PaymentSettledAsync(shopper, id), "the payment is still open");
        });
    }

    private static async Task<bool> PaymentSettledAsync(HttpClient shopper, Guid id) =>
        (await OrderAsync(shopper, id)).GetProperty("payment").GetString() is "Refunded" or "Voided";

    [Fact]
    public async Task Moves_the_order_cannot_make_are_refused_with_409()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Rule Tester"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Rulebound Vase", units: 4);
        var shippedId = await PlaceAcceptedAsync(shopper, Order(sku));
        var cancelledId = await PlaceAcceptedAsync(shopper, Order(sku));
        await OrderInStatusAsync(shopper, shippedId, "Confirmed");
        await OrderInStatusAsync(shopper, cancelledId, "Confirmed");
        (await merchant.PostAsJsonAsync($"/api/merchant/orders/{shippedId}/ship", new { }, Ct)).Dispose();
        (await shopper.PostAsJsonAsync($"/api/orders/{cancelledId}/cancel", new { }, Ct)).Dispose();

        using var cancelShipped = await shopper.PostAsJsonAsync($"/api/orders/{shippedId}/cancel", new { }, Ct);
        using var shipAgain = await merchant.PostAsJsonAsync($"/api/merchant/orders/{shippedId}/ship", new { }, Ct);
        using var shipCancelled = await merchant.PostAsJsonAsync($"/api/merchant/orders/{cancelledId}/ship", new { }, Ct);
        using var cancelTwice = await shopper.PostAsJsonAsync($"/api/orders/{cancelledId}/cancel", new { }, Ct);

        Assert.All([cancelShipped, shipAgain, shipCancelled, cancelTwice], r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal("Shipped", (await OrderAsync(shopper, shippedId)).Status());
        Assert.Equal("Cancelled", (await OrderAsync(shopper, cancelledId)).Status());
    }

    [Fact]
    public async Task Orders_are_their_buyers_and_merchants_see_only_their_own_lines()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var rival = await fixture.ClientForAsync("merchant2@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Private Buyer"));
        using var stranger = await fixture.ClientForAsync("shopper2@marketplace.test");
        var (_, sku) = await ProductWithStockAsync(merchant, "Private Parcel", units: 2);
        var id = await PlaceAcceptedAsync(shopper, Order(sku));
        await OrderInStatusAsync(shopper, id, "Confirmed");

        using var peek = await stranger.GetAsync($"/api/orders/{id}", Ct);
        using var cancel = await stranger.PostAsJsonAsync($"/api/orders/{id}/cancel", new { }, Ct);
        using var rivalShip = await rival.PostAsJsonAsync($"/api/merchant/orders/{id}/ship", new { }, Ct);
        var listed = await merchant.GetFromJsonAsync<JsonElement>("/api/merchant/orders?status=Confirmed&pageSize=100", Ct);
        var rivalListed = await rival.GetFromJsonAsync<JsonElement>("/api/merchant/orders?pageSize=100", Ct);

        Assert.Equal(HttpStatusCode.NotFound, peek.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, rivalShip.StatusCode);
        var mine = Assert.Single(listed.GetProperty("items").EnumerateArray(), o => o.GetProperty("orderId").GetGuid() == id);
        Assert.True(mine.GetProperty("canShip").GetBoolean());
        Assert.Equal("Ada Shopper", mine.GetProperty("shippingAddress").GetProperty("name").GetString());
        Assert.DoesNotContain(rivalListed.GetProperty("items").EnumerateArray(), o => o.GetProperty("orderId").GetGuid() == id);
        Assert.Equal("Confirmed", (await OrderAsync(shopper, id)).Status());
    }

    [Fact]
    public async Task A_confirmed_order_reaches_the_buyer_as_a_notification_and_an_email()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        var email = await fixture.NewShopperAsync("Mail Reader");
        using var shopper = await fixture.ClientForAsync(email);
        await MarketplaceAppFixture.ProfileEventuallyAsync(shopper, Ct);
        var (_, sku) = await ProductWithStockAsync(merchant, "Notified Teapot", units: 2);

        var id = await PlaceAcceptedAsync(shopper, Order(sku));
        await OrderInStatusAsync(shopper, id, "Confirmed");

        await EventuallyAsync(async () =>
        {
            var list = await shopper.GetFromJsonAsync<JsonElement>("/api/notifications", Ct);
            Assert.Contains(list.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "order-confirmed"
                && n.GetProperty("orderId").GetGuid() == id);
        });
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        await EventuallyAsync(async () =>
        {
            // The order is named by the first eight characters of its id.
            var number = id.ToString("N")[..8].ToUpperInvariant();
            var mail = fixture.Mail();
            Assert.True(mail.Any(m => m.Contains(email, StringComparison.OrdinalIgnoreCase)
                && m.Contains("Subject: Marketplace: Order confirmed", StringComparison.Ordinal) && m.Contains(number, StringComparison.Ordinal)),
                $"{mail.Count} messages in the sink; the notification log says {await admin.GetStringAsync("/api/notifications/log?pageSize=5", Ct)}");
        });
    }
}
