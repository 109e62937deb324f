using System.Text;
using System.Text.Json;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.External;
using Marketplace.Shared.Webhooks;

namespace Marketplace.Inventory.Tests;

/// <summary>Inventory's inbound adapters and the relay's backoff, without any server.</summary>
public sealed class InboundAdapterTests
{
    private const string Secret = "whsec_test";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ExternalSystemOptions Options = new() { WebhookSecret = Secret, Warehouse = "northwind-east" };

    private static byte[] Body(object value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);

    private static byte[] Delta(string id = "evt_1", string type = "stock.delta", string system = "northwind", params object[] items) =>
        Body(new { id, type, system, occurredAt = Now, items });

    [Fact]
    public void A_signature_made_with_the_secret_over_the_body_within_the_window_is_accepted()
    {
        var body = Delta(items: new { sku = "A-1", onHand = 5, delta = 2, version = 3, updatedAt = Now });
        var read = WebhookAdapter.Read("northwind", Options, HmacWebhookSignature.Sign(Secret, Now.AddMinutes(-4), body), body, Now);

        Assert.Equal(200, read.Status);
        var level = Assert.Single(read.Batch!.Levels);
        Assert.Equal(new ExternalLevel("A-1", 5, 3, Now), level);
        Assert.Equal("evt_1", read.Batch.EventId);
        Assert.Equal("webhook", read.Batch.Source);
    }

    [Theory]
    [InlineData("wrong-secret", 0, false, "does not match")]
    [InlineData(Secret, -6, false, "replay window")]
    [InlineData(Secret, 6, false, "replay window")]
    [InlineData(Secret, 0, true, "does not match")]
    public void A_signature_that_is_wrong_late_early_or_over_another_body_is_refused(string secret, int minutes, bool tamper, string because)
    {
        var body = Delta(items: new { sku = "A-1", onHand = 5, version = 3 });
        var header = HmacWebhookSignature.Sign(secret, Now.AddMinutes(minutes), body);
        var sent = tamper ? Delta(items: new { sku = "A-1", onHand = 500, version = 3 }) : body;

        var read = WebhookAdapter.Read("northwind", Options, header, sent, Now);

        Assert.Null(read.Batch);
        Assert.Equal(401, read.Status);
        Assert.Contains(because, read.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=notanumber,v1=abc")]
    [InlineData("t=1764590400")]
    public void A_missing_or_malformed_signature_header_is_refused(string? header)
    {
        var read = WebhookAdapter.Read("northwind", Options, header, Delta(), Now);
        Assert.Equal(401, read.Status);
    }

    [Fact]
    public void One_matching_signature_among_several_is_enough_so_secrets_can_rotate()
    {
        var body = Delta();
        var good = HmacWebhookSignature.Sign(Secret, Now, body);
        var t = good.Split(',')[0];
        var header = $"{t},v1={new string('0', 64)},{good.Split(',')[1]}";
        Assert.Null(HmacWebhookSignature.Verify(Secret, header, body, Now, TimeSpan.FromMinutes(5), WebhookAdapter.SignatureHeader));
    }

    [Fact]
    public void Unreadable_events_are_400_and_bad_items_are_reported_while_good_ones_are_taken()
    {
        static AdapterResult Signed(byte[] body) => WebhookAdapter.Read("northwind", Options, HmacWebhookSignature.Sign(Secret, Now, body), body, Now);

        Assert.Equal(400, Signed(Encoding.UTF8.GetBytes("{not json")).Status);
        Assert.Equal(400, Signed(Delta(type: "order.created")).Status);
        Assert.Equal(400, Signed(Delta(system: "southwind")).Status);
        Assert.Equal(400, Signed(Delta(id: "")).Status);

        var read = Signed(Delta(items: [
            new { sku = "OK-1", onHand = 1, version = 1 },
            new { sku = "", onHand = 1, version = 1 },
            new { sku = "NEG-1", onHand = -1, version = 1 },
            new { sku = "NOVER-1", onHand = 1 },
        ]));
        Assert.Equal(["OK-1"], read.Batch!.Levels.Select(l => l.Sku));
        Assert.Equal([2, 3, 4], read.Batch.Rejected.Select(r => r.Line));
    }

    [Fact]
    public void The_csv_feed_reads_quoted_fields_any_column_order_and_crlf()
    {
        var csv = "version,SKU,on_hand,updated_at\r\n7,\"A,1\",12,2026-12-01T10:00:00Z\r\n\r\n8,\"B \"\"quoted\"\"\",0,\r\n";
        var read = CsvFeedAdapter.Read("northwind", csv, Now);

        Assert.Empty(read.Batch!.Rejected);
        Assert.Equal(
            [new ExternalLevel("A,1", 12, 7, new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)), new ExternalLevel("B \"quoted\"", 0, 8, Now)],
            read.Batch.Levels);
        Assert.Null(read.Batch.EventId);
        Assert.Equal("csv", read.Batch.Source);
    }

    [Fact]
    public void Bad_csv_rows_are_reported_with_their_line_and_the_good_rows_kept()
    {
        var csv = string.Join('\n',
            "sku,on_hand,version,updated_at",
            "GOOD-1,5,1,2026-12-01T10:00:00Z",
            "BAD-NEG,-5,1,",
            "BAD-VER,5,x,",
            "BAD-DATE,5,1,yesterday",
            "BAD-COUNT,5",
            "BAD\"QUOTE,5,1,",
            "GOOD-2,6,2,",
            "\"OPEN,5,1,");
        var read = CsvFeedAdapter.Read("northwind", csv, Now);

        Assert.Equal(["GOOD-1", "GOOD-2"], read.Batch!.Levels.Select(l => l.Sku));
        Assert.Equal([3, 4, 5, 6, 7, 9], read.Batch.Rejected.Select(r => r.Line));
        Assert.Contains("zero or more", read.Batch.Rejected[0].Reason);
        Assert.Contains("version", read.Batch.Rejected[1].Reason);
        Assert.Contains("date", read.Batch.Rejected[2].Reason);
        Assert.Contains("fields", read.Batch.Rejected[3].Reason);
        Assert.Contains("quote", read.Batch.Rejected[4].Reason);
        Assert.Contains("does not close", read.Batch.Rejected[5].Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sku,on_hand\nA,1")]
    public void A_feed_without_the_header_is_refused_whole(string csv)
    {
        var read = CsvFeedAdapter.Read("northwind", csv, Now);
        Assert.Null(read.Batch);
        Assert.Equal(400, read.Status);
    }

    [Fact]
    public void Failed_deliveries_wait_twice_as_long_each_time_up_to_the_ceiling()
    {
        var options = new ExternalSystemOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(500), RetryMaxDelay = TimeSpan.FromSeconds(5) };
        Assert.Equal([0.5, 1, 2, 4, 5, 5], new[] { 1, 2, 3, 4, 5, 40 }.Select(a => OutboundRelay.Backoff(options, a).TotalSeconds));
    }

    [Fact]
    public void Each_change_has_a_stable_idempotency_key()
    {
        var change = new OutboundChange { Id = 42, System = "northwind" };
        Assert.Equal("inventory-northwind-42", change.IdempotencyKey);
    }
}
