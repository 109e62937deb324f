using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Tests that change the payment provider's behaviour or stop a service: they run alone, after the
/// others, so nothing else meets the outage they cause.
/// </summary>
[CollectionDefinition(nameof(Alone), DisableParallelization = true)]
public sealed class Alone;

[Collection(nameof(Alone))]
public sealed class CheckoutUnderStressTests(MarketplaceAppFixture fixture) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Whatever a test did to the provider, the next one starts from a healthy, quick provider.</summary>
    public async ValueTask DisposeAsync() => await fixture.ProviderSettingsAsync(new { latencyMs = 20, outage = false, declineRate = 0.0, asyncRate = 0.0 });

    [Fact]
    public async Task Two_hundred_concurrent_checkouts_for_fifty_units_confirm_exactly_fifty()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var (_, sku) = await ProductWithStockAsync(merchant, "Flash Sale Console", units: 50, price: 199m);
        var buyers = new List<HttpClient>();
        foreach (var name in new[] { "Flash One", "Flash Two", "Flash Three", "Flash Four" })
        {
            buyers.Add(await fixture.ClientForAsync(await fixture.NewShopperAsync(name)));
        }

        // Every buyer is told at the click: the units are theirs (201, AwaitingPayment, held until a time) or sold out (409).
        var versionBefore = (await StockAsync(merchant, sku)).GetProperty("version").GetInt64();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await PlaceAsync(buyers[i % buyers.Count], Order(sku));
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }));
        var held = answers.Where(a => a.StatusCode == HttpStatusCode.Created).Select(a => a.Body).ToList();
        var soldOut = answers.Where(a => a.StatusCode == HttpStatusCode.Conflict).Select(a => a.Body).ToList();
        Assert.Equal((50, 150), (held.Count, soldOut.Count));
        Assert.All(held, o =>
        {
            Assert.Equal("AwaitingPayment", o.Status());
            Assert.True(o.GetProperty("holdUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        });
        Assert.All(soldOut, p =>
        {
            Assert.Equal("Sold out", p.GetProperty("title").GetString());
            var shortLine = Assert.Single(p.GetProperty("short").EnumerateArray());
            Assert.Equal((sku, 1, 0), (shortLine.GetProperty("sku").GetString(), shortLine.GetProperty("requested").GetInt32(), shortLine.GetProperty("available").GetInt32()));
        });
        var ids = held.Select(o => o.GetProperty("id").GetGuid()).ToList();

        // The SKU is a queue, not a lock fight: its row was written once per batch of holds, not once per order
        // (the version counts the writes), while the ledger still has one row per order that got a unit.
        var versionAfter = (await StockAsync(merchant, sku)).GetProperty("version").GetInt64();
        Assert.InRange(versionAfter - versionBefore, 1, held.Count - 1);
        var movements = await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements?pageSize=100", Ct);
        var reserves = movements.EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "Reserve").ToList();
        Assert.Equal(ids.Select(id => id.ToString()).Order(), reserves.Select(m => m.GetProperty("reference").GetString()).Order());
        Assert.All(reserves, m => Assert.Equal(1, m.GetProperty("reservedDelta").GetInt32()));

        // Each buyer's orders are read in one list request per round, which keeps the buyers inside the gateway's limits.
        var orders = (await Task.WhenAll(buyers.Select(b => AllSettledAsync(b, seconds: 90)))).SelectMany(o => o).ToList();
        Assert.Equal(ids.Order(), orders.Select(o => o.GetProperty("id").GetGuid()).Order());
        Assert.All(orders, o => Assert.Equal("Confirmed", o.Status()));
        var stock = await StockAsync(merchant, sku);
        Assert.Equal((50, 50, 0), (stock.GetProperty("onHand").GetInt32(), stock.GetProperty("reserved").GetInt32(), stock.GetProperty("available").GetInt32()));
        await AssertLedgerConsistentAsync(admin);
        await EventuallyAsync(async () =>
        {
            var charged = await Task.WhenAll(orders.Where(o => o.Status() == "Confirmed").Select(o => fixture.ProviderOrderAsync(o.GetProperty("id").GetGuid())));
            Assert.All(charged, p => Assert.Equal(1, p.GetProperty("successfulCaptures").GetInt32()));
        }, seconds: 30);
        foreach (var buyer in buyers)
        {
            buyer.Dispose();
        }
    }

    /// <summary>The buyer's orders once none of them is still on its way.</summary>
    private static async Task<List<JsonElement>> AllSettledAsync(HttpClient buyer, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var orders = (await buyer.GetFromJsonAsync<JsonElement>("/api/orders?pageSize=100", Ct)).GetProperty("items").EnumerateArray().ToList();
            if (orders.All(o => Terminal.Contains(o.Status())))
            {
                return orders;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{orders.Count(o => !Terminal.Contains(o.Status()))} orders still on their way after {seconds} s");
            await Task.Delay(500, Ct);
        }
    }

    [Fact]
    public async Task A_provider_outage_times_the_payment_out_compensates_and_charges_nothing()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Outage Victim"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Outage Oven", units: 3);
        await fixture.ProviderSettingsAsync(new { outage = true });

        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 2));

        var cancelled = await OrderInStatusAsync(shopper, id, "Cancelled", seconds: 40);
        Assert.Equal("The payment was not answered in time.", cancelled.GetProperty("cancelReason").GetString());
        Assert.Equal("timeout", cancelled.GetProperty("history").EnumerateArray().Last().GetProperty("actor").GetString());
        await EventuallyAsync(async () => Assert.Equal(3, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32()));

        await fixture.ProviderSettingsAsync(new { outage = false });
        await EventuallyAsync(async () => Assert.Equal("Voided", (await OrderAsync(shopper, id)).GetProperty("payment").GetString()), seconds: 40);
        var provider = await fixture.ProviderOrderAsync(id);
        Assert.Equal(0, provider.GetProperty("successfulCaptures").GetInt32());
        await AssertLedgerConsistentAsync(admin);
        var summary = await admin.GetFromJsonAsync<JsonElement>("/api/orders/summary", Ct);
        Assert.Equal(0, summary.GetProperty("waitingLongerThanAMinute").GetInt64());
    }

    [Fact]
    public async Task An_order_in_flight_completes_when_ordering_crashes_and_restarts_mid_saga()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Patient Buyer"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Restart Radio", units: 2);
        // The provider takes its time, so the authorization lands while Ordering is down.
        await fixture.ProviderSettingsAsync(new { latencyMs = 3000 });

        var id = await PlaceAcceptedAsync(shopper, Order(sku));
        await OrderInStatusAsync(shopper, id, "AwaitingPayment");
        await fixture.CrashAndRestartAsync("ordering", downFor: TimeSpan.FromSeconds(2));

        var confirmed = await OrderInStatusAsync(shopper, id, "Confirmed", seconds: 60);
        Assert.Equal(["Pending", "AwaitingPayment", "Confirmed"], confirmed.GetProperty("history").EnumerateArray().Select(t => t.GetProperty("to").GetString()));
        await EventuallyAsync(async () => Assert.Equal("Captured", (await OrderAsync(shopper, id)).GetProperty("payment").GetString()), seconds: 30);
    }

    [Fact]
    public async Task An_order_placed_while_inventory_is_down_is_taken_pending_and_ends_confirmed()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Undaunted Buyer"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Outage Ottoman", units: 3);

        // The kill happens before CrashAndRestartAsync first waits; Inventory stays down for 15 s.
        var outage = fixture.CrashAndRestartAsync("inventory", downFor: TimeSpan.FromSeconds(15));
        using var response = await PlaceAsync(shopper, Order(sku));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var taken = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Pending", taken.Status());
        Assert.Equal(JsonValueKind.Null, taken.GetProperty("holdUntil").ValueKind);
        await outage;

        // The saga asked for the hold by message; it is answered once Inventory is back.
        var confirmed = await OrderInStatusAsync(shopper, taken.GetProperty("id").GetGuid(), "Confirmed", seconds: 60);
        Assert.Equal(["Pending", "AwaitingPayment", "Confirmed"], confirmed.GetProperty("history").EnumerateArray().Select(t => t.GetProperty("to").GetString()));
        Assert.Equal(2, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32());
    }
}
