using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marketplace.Shared.Webhooks;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// The external warehouse ("northwind", the simulator in services/Simulators/Warehouse) and Inventory's
/// integration with it: signed webhooks in, CSV in, our changes out through the outbox and breaker,
/// reconciliation. One class, so its tests run one after another: the outage test switches the simulator off.
/// </summary>
public sealed class ExternalWarehouseTests(MarketplaceAppFixture fixture)
{
    private const string System = "northwind";
    private const string Warehouse = "northwind-east";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_webhook_with_a_bad_signature_is_refused_and_writes_nothing()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var sku = await SkuAsync("Signed Sandals");
        var before = await StatusAsync(admin);
        var body = Event("evt_forged_" + Guid.NewGuid().ToString("N"), (sku, 40, 1));

        using var forged = await PostWebhookAsync(body, HmacWebhookSignature.Sign("not-the-secret", DateTimeOffset.UtcNow, body));
        using var unsigned = await PostWebhookAsync(body, signature: null);
        using var tampered = await PostWebhookAsync(Event("evt_tampered", (sku, 41, 1)), HmacWebhookSignature.Sign(Secret, DateTimeOffset.UtcNow, body));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Null(await ExternalLevelAsync(admin, sku));
        // Refused anonymous calls write nothing: the rejection counter in the database stays as it was (they are counted in metrics).
        Assert.Equal(before.GetProperty("rejectedInbound").GetInt64(), (await StatusAsync(admin)).GetProperty("rejectedInbound").GetInt64());

        // The same event, signed with the shared secret, is taken.
        using var signed = await PostWebhookAsync(body, HmacWebhookSignature.Sign(Secret, DateTimeOffset.UtcNow, body));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(40, await ExternalLevelAsync(admin, sku));
        var movement = (await admin.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct)).EnumerateArray().First();
        Assert.Equal("Sync", movement.GetProperty("kind").GetString());
        Assert.Equal(Warehouse, movement.GetProperty("warehouse").GetString());
        Assert.Equal(40, movement.GetProperty("onHandDelta").GetInt32());
    }

    [Fact]
    public async Task A_replayed_webhook_is_ignored()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var sku = await SkuAsync("Replayed Radio");
        var body = Event("evt_once_" + Guid.NewGuid().ToString("N"), (sku, 10, 1));

        using var first = await PostWebhookAsync(body, HmacWebhookSignature.Sign(Secret, DateTimeOffset.UtcNow, body));
        using var again = await PostWebhookAsync(body, HmacWebhookSignature.Sign(Secret, DateTimeOffset.UtcNow, body));
        using var old = await PostWebhookAsync(body, HmacWebhookSignature.Sign(Secret, DateTimeOffset.UtcNow.AddMinutes(-10), body));

        Assert.Equal("applied", (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("duplicate", (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Contains("replay window", (await old.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Equal(10, await ExternalLevelAsync(admin, sku));
        var syncs = (await admin.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct)).EnumerateArray().Count(m => m.GetProperty("kind").GetString() == "Sync");
        Assert.Equal(1, syncs);
    }

    [Fact]
    public async Task Out_of_order_levels_leave_the_newest_in_place()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var sku = await SkuAsync("Ordered Ottoman");

        var newer = await SignedPostAsync(Event("evt_v3_" + Guid.NewGuid().ToString("N"), (sku, 30, 3)));
        var older = await SignedPostAsync(Event("evt_v2_" + Guid.NewGuid().ToString("N"), (sku, 20, 2)));

        Assert.Equal(1, newer.GetProperty("applied").GetInt32());
        Assert.Equal(1, older.GetProperty("stale").GetInt32());
        Assert.Equal(0, older.GetProperty("applied").GetInt32());
        Assert.Equal(30, await ExternalLevelAsync(admin, sku));
    }

    [Fact]
    public async Task The_simulators_own_webhooks_and_feed_reach_our_stock()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var warehouse = fixture.CreateRawClient("warehouse");
        var sku = await SkuAsync("Pushed Parasol");

        // Counted in the warehouse: its signed delta webhook travels through the gateway to Inventory.
        (await warehouse.PutAsJsonAsync($"/sim/stock/{sku}", new { onHand = 25 }, Ct)).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => Assert.Equal(25, await ExternalLevelAsync(admin, sku)), seconds: 15);

        // Changed without a webhook: the CSV feed carries it.
        (await warehouse.PostAsJsonAsync($"/sim/drift/{sku}", new { onHand = 21 }, Ct)).EnsureSuccessStatusCode();
        using var feed = await admin.PostAsync($"/api/inventory/sync/{System}/feed", null, Ct);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal(21, await ExternalLevelAsync(admin, sku));
        await AssertLedgerConsistentAsync(admin);
    }

    [Fact]
    public async Task A_csv_import_applies_the_good_rows_and_reports_the_bad_ones()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var first = await SkuAsync("Imported Igloo");
        var second = await SkuAsync("Imported Inkwell");
        var now = DateTimeOffset.UtcNow.ToString("O");
        var csv = $"""
            sku,on_hand,version,updated_at
            {first},12,1,{now}
            "{second}",7,1,{now}
            {first}-NEGATIVE,-4,1,{now}
            {first}-NOVERSION,3,,{now}
            {first}-SHORT,3
            "{first}-OPEN,3,1,{now}
            """;
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await admin.PostAsync($"/api/inventory/sync/{System}/csv", content, Ct);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, report.GetProperty("applied").GetInt32());
        var rejected = report.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([4, 5, 6, 7], rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.All(rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
        Assert.Equal(12, await ExternalLevelAsync(admin, first));
        Assert.Equal(7, await ExternalLevelAsync(admin, second));

        using var shopper = await fixture.ClientForAsync("shopper@marketplace.test");
        using var refused = await shopper.PostAsync($"/api/inventory/sync/{System}/csv", new StringContent(csv, Encoding.UTF8, "text/csv"), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var headerless = await admin.PostAsync($"/api/inventory/sync/{System}/csv", new StringContent("a,b\n1,2", Encoding.UTF8, "text/csv"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, headerless.StatusCode);
    }

    [Fact]
    public async Task Planted_drift_is_reconciled_and_reported()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var warehouse = fixture.CreateRawClient("warehouse");
        var sku = await SkuAsync("Drifting Dinghy");
        (await warehouse.PutAsJsonAsync($"/sim/stock/{sku}", new { onHand = 20 }, Ct)).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => Assert.Equal(20, await ExternalLevelAsync(admin, sku)), seconds: 15);

        (await warehouse.PostAsJsonAsync($"/sim/drift/{sku}", new { onHand = 17 }, Ct)).EnsureSuccessStatusCode();
        using var response = await admin.PostAsync($"/api/inventory/sync/{System}/reconcile", null, Ct);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(run.GetProperty("drifted").GetInt32() >= 1, run.ToString());
        var finding = run.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("sku").GetString() == sku);
        Assert.Equal(20, finding.GetProperty("ours").GetInt32());
        Assert.Equal(17, finding.GetProperty("theirs").GetInt32());
        Assert.Equal(17, finding.GetProperty("now").GetInt32());
        Assert.Equal(17, await ExternalLevelAsync(admin, sku));
        var movement = (await admin.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct)).EnumerateArray().First();
        Assert.Equal("Reconcile", movement.GetProperty("kind").GetString());
        Assert.Equal(-3, movement.GetProperty("onHandDelta").GetInt32());

        var runs = await admin.GetFromJsonAsync<JsonElement>($"/api/inventory/sync/{System}/reconciliations", Ct);
        Assert.Equal(run.GetProperty("id").GetInt64(), runs[0].GetProperty("id").GetInt64());
        Assert.Equal(run.GetProperty("id").GetInt64(), (await StatusAsync(admin)).GetProperty("lastReconciliation").GetProperty("id").GetInt64());
        await AssertLedgerConsistentAsync(admin);
    }

    [Fact]
    public async Task Changes_made_during_a_30_second_outage_are_delivered_exactly_once_when_it_ends()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Outage"));
        using var warehouse = fixture.CreateRawClient("warehouse");
        // Nothing in our own warehouse: the order's units can only come from northwind's.
        var (_, sku) = await ProductWithStockAsync(merchant, "Outage Oar", units: 0);
        (await warehouse.PutAsJsonAsync($"/sim/stock/{sku}", new { onHand = 50 }, Ct)).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => Assert.Equal(50, await ExternalLevelAsync(admin, sku)), seconds: 15);

        var outage = Stopwatch.StartNew();
        await SimSettingsAsync(warehouse, new { outage = true });
        var breakerOpened = false;
        try
        {
            foreach (var (delta, reason) in new[] { (5, "delivery"), (-2, "damaged"), (3, "returns") })
            {
                using var adjusted = await merchant.PostAsJsonAsync($"/api/inventory/{sku}/adjustments", new { warehouse = Warehouse, delta, reason }, Ct);
                Assert.Equal(HttpStatusCode.OK, adjusted.StatusCode);
            }
            var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 2));
            await OrderInStatusAsync(shopper, id, "Confirmed");
            using var shipped = await merchant.PostAsJsonAsync($"/api/merchant/orders/{id}/ship", new { trackingNumber = "NW-1" }, Ct);
            Assert.Equal(HttpStatusCode.OK, shipped.StatusCode);
            // Ours moved at once, whatever the warehouse's state: 50 + 5 - 2 + 3 - 2.
            await EventuallyAsync(async () => Assert.Equal(54, await ExternalLevelAsync(admin, sku)));

            // The outage lasts 30 s at least (the order above may already have taken most of it); the queue is looked at throughout.
            do
            {
                var status = await StatusAsync(admin);
                breakerOpened |= status.GetProperty("breaker").GetString() == "open";
                Assert.True(status.GetProperty("pendingOutbound").GetInt32() >= 4, $"the changes wait in the queue: {status}");
                await Task.Delay(1000, Ct);
            }
            while (outage.Elapsed < TimeSpan.FromSeconds(30));
        }
        finally
        {
            await SimSettingsAsync(warehouse, new { outage = false });
        }
        var during = await StatusAsync(admin);
        Assert.True(breakerOpened, $"the breaker opened during the outage: {during}");

        var recovery = Stopwatch.StartNew();
        await EventuallyAsync(async () => Assert.Equal(0, (await StatusAsync(admin)).GetProperty("pendingOutbound").GetInt32()), seconds: 45);
        var drained = recovery.Elapsed;
        var after = await StatusAsync(admin);

        // Every change reached the warehouse exactly once: one request per change, each applied once, however often it was sent.
        var requests = (await warehouse.GetFromJsonAsync<JsonElement>($"/sim/requests?sku={sku}", Ct)).EnumerateArray().ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.True(r.GetProperty("applied").GetBoolean()));
        Assert.Equal(4, requests.Select(r => r.GetProperty("idempotencyKey").GetString()).Distinct().Count());
        Assert.Equal(["adjustment", "adjustment", "adjustment", "commit"], requests.Select(r => r.GetProperty("kind").GetString()));
        using var book = new HttpRequestMessage(HttpMethod.Get, $"/api/stock/{sku}");
        book.Headers.Authorization = new("Bearer", fixture.Secret("warehouse-api-key"));
        using var answer = await warehouse.SendAsync(book, Ct);
        var theirs = await answer.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(54, theirs.GetProperty("onHand").GetInt32());
        Assert.Equal(54, await ExternalLevelAsync(admin, sku));
        var outbound = (await admin.GetFromJsonAsync<JsonElement>($"/api/inventory/sync/{System}/outbound?sku={sku}", Ct)).EnumerateArray().ToList();
        Assert.All(outbound, o => Assert.False(o.GetProperty("refused").GetBoolean()));
        var attempts = outbound.Sum(o => o.GetProperty("attempts").GetInt32());
        await AssertLedgerConsistentAsync(admin);
        TestContext.Current.SendDiagnosticMessage(
            $"Outage of {outage.Elapsed.TotalSeconds:0} s: breaker opened, {attempts} calls for 4 changes ({during.GetProperty("deliveryFailures").GetInt64()} failed deliveries in all), " +
            $"queue drained {drained.TotalSeconds:0.0} s after recovery, breaker now {after.GetProperty("breaker").GetString()}");
    }

    private string Secret => fixture.Secret("warehouse-webhook-secret");

    /// <summary>A product of the development merchant whose SKU Inventory knows (nothing in our own warehouse).</summary>
    private async Task<string> SkuAsync(string title)
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        return (await ProductWithStockAsync(merchant, title, units: 0)).Sku;
    }

    private static byte[] Event(string id, params (string Sku, int OnHand, long Version)[] items) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            id, type = "stock.delta", system = System, occurredAt = DateTimeOffset.UtcNow,
            items = items.Select(i => new { sku = i.Sku, onHand = i.OnHand, delta = (int?)null, version = i.Version, updatedAt = DateTimeOffset.UtcNow }),
        });

    private async Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string? signature)
    {
        using var gateway = fixture.CreateRawClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/inventory/webhooks/{System}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null)
        {
            request.Headers.Add("Warehouse-Signature", signature);
        }
        return await gateway.SendAsync(request, Ct);
    }

    private async Task<JsonElement> SignedPostAsync(byte[] body)
    {
        using var response = await PostWebhookAsync(body, HmacWebhookSignature.Sign(Secret, DateTimeOffset.UtcNow, body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>Our on-hand units in northwind's warehouse; null when we hold no level there.</summary>
    private static async Task<int?> ExternalLevelAsync(HttpClient client, string sku)
    {
        var stock = await StockAsync(client, sku);
        return stock.GetProperty("warehouses").EnumerateArray().Where(w => w.GetProperty("warehouse").GetString() == Warehouse)
            .Select(w => (int?)w.GetProperty("onHand").GetInt32()).SingleOrDefault();
    }

    private static async Task<JsonElement> StatusAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/inventory/sync", Ct)).EnumerateArray().Single(s => s.GetProperty("system").GetString() == System);

    private static async Task SimSettingsAsync(HttpClient warehouse, object settings)
    {
        using var response = await warehouse.PutAsJsonAsync("/sim/settings", settings, Ct);
        response.EnsureSuccessStatusCode();
    }
}
