using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marketplace.Shared.Webhooks;
using Marketplace.Warehouse;

namespace Marketplace.Inventory.Tests;

/// <summary>The warehouse simulator's webhooks as Inventory will receive them: signed, retried, and as unruly as the switches make them.</summary>
public sealed class WarehouseWebhookTests(WarehouseSimulator warehouse) : IClassFixture<WarehouseSimulator>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delta_webhook_is_signed_and_carries_the_level_and_version_after_the_change()
    {
        var sku = WarehouseSimulator.NewSku();
        await warehouse.AdjustedAsync(sku, 10);
        var change = await warehouse.AdjustedAsync(sku, -3);

        var webhook = await ArrivalAsync(sku, 2);

        Assert.Equal("application/json", webhook.Headers["Content-Type"].Split(';')[0]);
        AssertSigned(webhook);
        var json = webhook.Json;
        Assert.Equal(webhook.Headers["Warehouse-Event-Id"], webhook.EventId);
        Assert.Matches("^evt_[0-9a-f]{32}$", webhook.EventId);
        Assert.Equal((EventTypes.Delta, "northwind"), (webhook.Type, json.GetProperty("system").GetString()));
        Assert.True(DateTimeOffset.UtcNow - json.GetProperty("occurredAt").GetDateTimeOffset() < TimeSpan.FromMinutes(5));
        var item = Assert.Single(json.GetProperty("items").EnumerateArray());
        Assert.Equal((sku, 7, -3, 2L), (item.GetProperty("sku").GetString(), item.GetProperty("onHand").GetInt32(),
            item.GetProperty("delta").GetInt32(), item.GetProperty("version").GetInt64()));
        Assert.Equal((change.OnHand, change.Version), (item.GetProperty("onHand").GetInt32(), item.GetProperty("version").GetInt64()));
        Assert.Equal((await warehouse.StockAsync(sku))!.UpdatedAt, item.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.NotEqual(webhook.EventId, warehouse.Receiver.About(sku)[0].EventId);
    }

    [Fact]
    public async Task Commit_raises_a_delta_webhook_with_the_units_that_left()
    {
        var sku = WarehouseSimulator.NewSku();
        await warehouse.AdjustedAsync(sku, 6);
        using var commit = await warehouse.SendAsync(HttpMethod.Post, "/api/commits", new { sku, quantity = 4, reference = "order-7" }, Guid.NewGuid().ToString());
        commit.EnsureSuccessStatusCode();

        var item = (await ArrivalAsync(sku, 2)).Item(sku);

        Assert.Equal((2, -4, 2L), (item.GetProperty("onHand").GetInt32(), item.GetProperty("delta").GetInt32(), item.GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task Outage_holds_webhooks_back_and_delivers_each_once_when_it_ends()
    {
        var sku = WarehouseSimulator.NewSku();
        await warehouse.SetAsync(new { outage = true });
        try
        {
            await warehouse.CountAsync(sku, 5);
            await warehouse.CountAsync(sku, 8);
            await WarehouseSimulator.EventuallyAsync(async () => (await warehouse.DeliveriesAsync(sku)) is [{ State: DeliveryStates.Held }, { State: DeliveryStates.Held }],
                "both deliveries are held back by the outage");
            Assert.Empty(warehouse.Receiver.About(sku));
        }
        finally
        {
            await warehouse.ResetSwitchesAsync();
        }

        await WarehouseSimulator.EventuallyAsync(async () => (await warehouse.DeliveriesAsync(sku)).All(d => d.Delivered), "both are delivered after the outage");

        var received = warehouse.Receiver.About(sku);
        Assert.Equal([1L, 2L], received.Select(r => r.Item(sku).GetProperty("version").GetInt64()));
        Assert.Equal(2, received.Select(r => r.EventId).Distinct().Count());
        Assert.All(await warehouse.DeliveriesAsync(sku), d => Assert.Equal(1, d.Attempts));
    }

    [Fact]
    public async Task Duplicate_delivery_sends_the_same_event_id_twice()
    {
        var sku = WarehouseSimulator.NewSku();
        await warehouse.SetAsync(new { duplicateDelivery = true });
        try
        {
            await warehouse.CountAsync(sku, 3);
        }
        finally
        {
            await warehouse.ResetSwitchesAsync();
        }

        await ArrivalAsync(sku, 2);

        var received = warehouse.Receiver.About(sku);
        Assert.Equal(2, received.Count);
        Assert.Single(received.Select(r => r.EventId).Distinct());
        Assert.Single(received.Select(r => r.Headers["Warehouse-Event-Id"]).Distinct());
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.All(received, AssertSigned);
    }

    [Fact]
    public async Task Out_of_order_delivery_sends_newer_versions_first()
    {
        var sku = WarehouseSimulator.NewSku();
        await warehouse.SetAsync(new { outOfOrder = true });
        try
        {
            await warehouse.CountAsync(sku, 1);
            await warehouse.CountAsync(sku, 2);
            await warehouse.CountAsync(sku, 3);
            await ArrivalAsync(sku, 3);
        }
        finally
        {
            await warehouse.ResetSwitchesAsync();
        }

        var received = warehouse.Receiver.About(sku);
        Assert.Equal([3L, 2L, 1L], received.Select(r => r.Item(sku).GetProperty("version").GetInt64()));
        Assert.Equal([3, 2, 1], received.Select(r => r.Item(sku).GetProperty("onHand").GetInt32()));
    }

    [Fact]
    public async Task Drift_changes_the_level_without_a_webhook()
    {
        var sku = WarehouseSimulator.NewSku();

        using var drift = await warehouse.Client.PostAsJsonAsync($"/sim/drift/{sku}", new { onHand = 7 }, Ct);
        var drifted = await warehouse.StockAsync(sku);
        await warehouse.CountAsync(sku, 9);

        // Deliveries go out in the order events were raised, so a webhook for the drift would have come first.
        var first = await ArrivalAsync(sku, 1);
        Assert.Equal(HttpStatusCode.OK, drift.StatusCode);
        Assert.Equal((7, 1L), (drifted!.OnHand, drifted.Version));
        var item = first.Item(sku);
        Assert.Equal((9, 2, 2L), (item.GetProperty("onHand").GetInt32(), item.GetProperty("delta").GetInt32(), item.GetProperty("version").GetInt64()));
        Assert.Single(await warehouse.DeliveriesAsync(sku));
    }

    [Fact]
    public async Task Snapshot_carries_every_sku_without_deltas()
    {
        var sku = WarehouseSimulator.NewSku();
        var other = WarehouseSimulator.NewSku();
        await warehouse.CountAsync(sku, 4);
        await warehouse.AdjustedAsync(other, 6);
        await warehouse.AdjustedAsync(other, 1);

        using var response = await warehouse.Client.PostAsync("/sim/snapshot", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await WarehouseSimulator.JsonAsync(response)).GetProperty("id").GetString();
        await WarehouseSimulator.EventuallyAsync(() => Task.FromResult(warehouse.Receiver.About(sku).Any(r => r.EventId == id)), "the snapshot arrives");
        var snapshot = warehouse.Receiver.About(sku).Single(r => r.EventId == id);
        Assert.Equal(EventTypes.Snapshot, snapshot.Type);
        AssertSigned(snapshot);
        var items = snapshot.Json.GetProperty("items").EnumerateArray().ToList();
        Assert.All(items, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("delta").ValueKind));
        Assert.Equal((4, 1L), (snapshot.Item(sku).GetProperty("onHand").GetInt32(), snapshot.Item(sku).GetProperty("version").GetInt64()));
        Assert.Equal((7, 2L), (snapshot.Item(other).GetProperty("onHand").GetInt32(), snapshot.Item(other).GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task Failed_delivery_is_retried_with_the_same_event_id_until_accepted()
    {
        var sku = WarehouseSimulator.NewSku();
        warehouse.Receiver.Answer(sku, 503, 500, 429);

        await warehouse.CountAsync(sku, 2);

        await WarehouseSimulator.EventuallyAsync(async () => (await warehouse.DeliveriesAsync(sku)) is [{ Delivered: true }], "the fourth attempt is accepted");
        var received = warehouse.Receiver.About(sku);
        Assert.Equal([503, 500, 429, 200], received.Select(r => r.AnsweredWith));
        Assert.Single(received.Select(r => r.EventId).Distinct());
        Assert.All(received, AssertSigned);
        var delivery = Assert.Single(await warehouse.DeliveriesAsync(sku));
        Assert.Equal((4, 200, null), (delivery.Attempts, delivery.LastStatus, delivery.LastError));
    }

    [Fact]
    public async Task Delivery_refused_with_a_4xx_is_given_up_after_one_attempt()
    {
        var sku = WarehouseSimulator.NewSku();
        warehouse.Receiver.Answer(sku, 400);

        await warehouse.CountAsync(sku, 2);

        await WarehouseSimulator.EventuallyAsync(async () => (await warehouse.DeliveriesAsync(sku)) is [{ State: DeliveryStates.Refused }], "the delivery is given up");
        var delivery = Assert.Single(await warehouse.DeliveriesAsync(sku));
        Assert.Equal((1, false, 400), (delivery.Attempts, delivery.Delivered, delivery.LastStatus));
        Assert.Single(warehouse.Receiver.About(sku));
    }

    /// <summary>Waits for the <paramref name="count"/>th delivery about the SKU and returns it.</summary>
    private async Task<ReceivedWebhook> ArrivalAsync(string sku, int count)
    {
        await WarehouseSimulator.EventuallyAsync(() => Task.FromResult(warehouse.Receiver.About(sku).Count >= count), $"{count} webhook(s) about {sku} arrive");
        return warehouse.Receiver.About(sku)[count - 1];
    }

    /// <summary>
    /// Checks the signature with the very check Inventory's receiver makes (HMAC-SHA256 of "t.body" with the
    /// shared secret, t within 5 minutes), so the simulator and our receiver cannot drift apart.
    /// </summary>
    private static void AssertSigned(ReceivedWebhook webhook) =>
        Assert.Null(HmacWebhookSignature.Verify(WarehouseSimulator.WebhookSecret, webhook.Headers["Warehouse-Signature"],
            Encoding.UTF8.GetBytes(webhook.Body), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), "Warehouse-Signature"));
}
