using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// <c>POST /api/orders</c> answers with the stock decision: the units held for the buyer, or sold out, all lines or
/// none, the same answer again for the same Idempotency-Key.
/// </summary>
public sealed class HoldAtTheClickTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object TwoLineOrder(string first, string second) => new
    {
        lines = new[] { new { sku = first, quantity = 1 }, new { sku = second, quantity = 1 } },
        shippingAddress = Address,
        paymentMethod = "pm_card_visa",
    };

    [Fact]
    public async Task Orders_for_two_skus_are_held_all_or_nothing_without_deadlock()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var (_, plenty) = await ProductWithStockAsync(merchant, "Paired Left Glove", units: 10);
        var (_, scarce) = await ProductWithStockAsync(merchant, "Paired Right Glove", units: 5);
        var buyers = new List<HttpClient>();
        foreach (var name in new[] { "Pair One", "Pair Two" })
        {
            buyers.Add(await fixture.ClientForAsync(await fixture.NewShopperAsync(name)));
        }

        // Half the orders name the SKUs the other way round: a lock taken per line in order would deadlock.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await PlaceAsync(buyers[i % 2], i % 2 == 0 ? TwoLineOrder(plenty, scarce) : TwoLineOrder(scarce, plenty));
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(15, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.Conflict), a =>
            Assert.Equal([scarce], a.Body.GetProperty("short").EnumerateArray().Select(l => l.GetProperty("sku").GetString())));
        // The plentiful SKU gave up no unit to an order that could not have the scarce one.
        Assert.Equal(5, (await StockAsync(merchant, plenty)).GetProperty("available").GetInt32());
        Assert.Equal(0, (await StockAsync(merchant, scarce)).GetProperty("available").GetInt32());
        await AssertLedgerConsistentAsync(admin);
        foreach (var buyer in buyers)
        {
            buyer.Dispose();
        }
    }

    [Fact]
    public async Task A_sold_out_answer_is_replayed_for_its_key_and_a_later_buyer_gets_a_returned_unit()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var first = await fixture.ClientForAsync(await fixture.NewShopperAsync("Early Bird"));
        using var second = await fixture.ClientForAsync(await fixture.NewShopperAsync("Late Comer"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Last Lantern", units: 1);

        using (var got = await PlaceAsync(first, Order(sku)))
        {
            Assert.Equal(HttpStatusCode.Created, got.StatusCode);
            var order = await got.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("AwaitingPayment", order.Status());
            Assert.True(order.GetProperty("holdUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(1));
            // The buyer cancels: the unit goes back.
            using var cancelled = await first.PostAsJsonAsync($"/api/orders/{order.GetProperty("id").GetGuid()}/cancel", new { reason = "changed my mind" }, Ct);
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        await EventuallyAsync(async () => Assert.Equal(1, (await StockAsync(merchant, sku)).GetProperty("available").GetInt32()));

        using var third = await fixture.ClientForAsync(await fixture.NewShopperAsync("Third Hand"));
        using (var taken = await PlaceAsync(third, Order(sku)))
        {
            Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        }

        const string key = "sold-out-replay-key";
        using var soldOut = await PlaceAsync(second, Order(sku), key);
        Assert.Equal(HttpStatusCode.Conflict, soldOut.StatusCode);
        Assert.Equal("application/problem+json", soldOut.Content.Headers.ContentType?.MediaType);
        var problem = await soldOut.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Sold out", problem.GetProperty("title").GetString());
        Assert.Contains("sold out", problem.GetProperty("detail").GetString());

        // Stock arrives again, but the key's answer stays what it was.
        await SetStockAsync(merchant, sku, 5);
        using var replayed = await PlaceAsync(second, Order(sku), key);
        Assert.Equal(HttpStatusCode.Conflict, replayed.StatusCode);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(problem.GetProperty("detail").GetString(), (await replayed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Empty((await second.GetFromJsonAsync<JsonElement>("/api/orders", Ct)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_held_order_retried_just_after_its_sku_sold_out_is_replayed_as_held()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var winner = await fixture.ClientForAsync(await fixture.NewShopperAsync("Quick Hand"));
        using var loser = await fixture.ClientForAsync(await fixture.NewShopperAsync("Slow Hand"));
        var (_, sku) = await ProductWithStockAsync(merchant, "Only Umbrella", units: 1);
        const string key = "held-then-sold-out-key";

        using var held = await PlaceAsync(winner, Order(sku), key);
        Assert.Equal(HttpStatusCode.Created, held.StatusCode);
        var order = await held.Content.ReadFromJsonAsync<JsonElement>(Ct);
        // Inventory says sold out to the next buyer; Ordering remembers it for a moment and answers later clicks itself.
        using (var soldOut = await PlaceAsync(loser, Order(sku)))
        {
            Assert.Equal(HttpStatusCode.Conflict, soldOut.StatusCode);
        }

        // The winner's retry (a lost answer) is decided "sold out" from that memory, and its key's insert finds the held order.
        using var retried = await PlaceAsync(winner, Order(sku), key);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal("true", retried.Headers.GetValues("Idempotent-Replayed").Single());
        var replayed = await retried.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(order.GetProperty("id").GetGuid(), replayed.GetProperty("id").GetGuid());
        Assert.Equal("AwaitingPayment", replayed.Status());
        Assert.Single((await winner.GetFromJsonAsync<JsonElement>("/api/orders", Ct)).GetProperty("items").EnumerateArray());
    }
}
