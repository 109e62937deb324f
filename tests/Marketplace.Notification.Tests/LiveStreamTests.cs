using Marketplace.Notification.Live;
using Marketplace.Shared.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Marketplace.Notification.Tests;

public sealed class LiveStreamTests(Infrastructure infrastructure)
{
    private NotificationApp App => infrastructure.App;

    private static OrderStatusChanged StatusChanged(Guid buyerId, Guid merchantId, string to, int sequence) =>
        new(Guid.NewGuid(), buyerId, [merchantId], "Placed", to, sequence, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_users_stream_gets_their_order_status_published_by_another_instance_and_never_another_users()
    {
        Guid userA = Guid.NewGuid(), userB = Guid.NewGuid();
        await using var streamA = await OpenStream.OpenAsync(App.ClientFor(userA));
        // Another replica: its own Redis connection, the same publisher code.
        await using var otherInstance = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{infrastructure.RedisPort}");
        var publisher = new LiveUpdatePublisher(otherInstance, NullLogger<LiveUpdatePublisher>.Instance);
        var forB = StatusChanged(userB, Guid.NewGuid(), "AwaitingPayment", 2);
        var forA = new OrderCancelled(Guid.NewGuid(), userA, [Guid.NewGuid()], "Payment declined", 3, DateTimeOffset.UtcNow);

        // B's first: one subscriber connection delivers in publish order, so a leak would arrive before A's.
        await publisher.PublishAsync(LiveUpdate.For(forB).ToList());
        await publisher.PublishAsync(LiveUpdate.For(forA).ToList());

        var received = await streamA.Reader.ReadEventAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("order-status", received.Event);
        Assert.Equal(forA.OrderId, received.Json.GetProperty("orderId").GetGuid());
        Assert.Equal(("Cancelled", "Payment declined", 3),
            (received.Json.GetProperty("status").GetString(), received.Json.GetProperty("reason").GetString(), received.Json.GetProperty("sequence").GetInt32()));
    }

    [Fact]
    public async Task A_merchants_stream_gets_new_orders_and_status_changes_from_consumed_events()
    {
        Guid merchantUser = Guid.NewGuid(), merchant = Guid.NewGuid(), buyer = Guid.NewGuid();
        infrastructure.Users.AddBuyer(buyer);
        await using var stream = await OpenStream.OpenAsync(App.ClientFor(merchantUser, "merchant", merchant));
        await using var buyers = await OpenStream.OpenAsync(App.ClientFor(buyer));
        var confirmed = OrderEventTests.Confirmed(buyer, merchant);

        await App.DeliverAsync(confirmed, Guid.NewGuid());
        // The confirmation is one message: the merchant's new-order notification and the order's move to Confirmed both come from it.
        var fromConfirmation = new[] { await stream.Reader.ReadEventAsync(TimeSpan.FromSeconds(10)), await stream.Reader.ReadEventAsync(TimeSpan.FromSeconds(10)) };
        var buyerSaw = new[] { await buyers.Reader.ReadEventAsync(TimeSpan.FromSeconds(10)), await buyers.Reader.ReadEventAsync(TimeSpan.FromSeconds(10)) };
        await App.DeliverAsync(StatusChanged(buyer, merchant, "Shipped", 7) with { OrderId = confirmed.OrderId }, Guid.NewGuid());
        var shipped = await stream.Reader.ReadEventAsync(TimeSpan.FromSeconds(10));

        var newOrder = Assert.Single(fromConfirmation, e => e.Event == "notification");
        Assert.Equal(("new-order", confirmed.OrderId), (newOrder.Json.GetProperty("kind").GetString(), newOrder.Json.GetProperty("orderId").GetGuid()));
        foreach (var status in new[] { Assert.Single(fromConfirmation, e => e.Event == "order-status"), Assert.Single(buyerSaw, e => e.Event == "order-status") })
        {
            Assert.Equal((confirmed.OrderId, "Confirmed", confirmed.Sequence),
                (status.Json.GetProperty("orderId").GetGuid(), status.Json.GetProperty("status").GetString(), status.Json.GetProperty("sequence").GetInt32()));
        }
        Assert.Equal("order-confirmed", Assert.Single(buyerSaw, e => e.Event == "notification").Json.GetProperty("kind").GetString());
        Assert.Equal("order-status", shipped.Event);
        Assert.Equal((confirmed.OrderId, "Shipped", 7),
            (shipped.Json.GetProperty("orderId").GetGuid(), shipped.Json.GetProperty("status").GetString(), shipped.Json.GetProperty("sequence").GetInt32()));
    }

    [Fact]
    public async Task An_idle_stream_is_an_event_stream_that_sends_comment_heartbeats()
    {
        await using var stream = await OpenStream.OpenAsync(App.ClientFor(Guid.NewGuid()));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var frame = await stream.Reader.ReadFrameAsync(timeout.Token);

        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("heartbeat", null), (frame.Comment, frame.Event));
    }

    [Fact]
    public async Task A_user_holds_at_most_five_streams_and_a_sixth_is_refused_until_one_closes()
    {
        var user = Guid.NewGuid();
        var open = new List<OpenStream>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                open.Add(await OpenStream.OpenAsync(App.ClientFor(user)));
            }
            using var sixth = App.ClientFor(user);
            using var refused = await sixth.GetAsync("/api/notifications/stream", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            // Another user is not affected by this one's streams.
            await using var someoneElse = await OpenStream.OpenAsync(App.ClientFor(Guid.NewGuid()));

            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(refused.Headers.RetryAfter);

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            // The closed stream's slot is freed when the service notices the client left.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                using var again = App.ClientFor(user);
                var response = await again.GetAsync("/api/notifications/stream", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode || DateTime.UtcNow > deadline)
                {
                    Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                    response.Dispose();
                    break;
                }
                response.Dispose();
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_stream_ends_when_the_token_it_was_opened_with_expires()
    {
        var token = NotificationApp.Token(Guid.NewGuid(), "shopper", lifetime: TimeSpan.FromSeconds(3));
        await using var stream = await OpenStream.OpenAsync(App.ClientWith(token));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var frames = new List<SseFrame>();
        var ended = false;
        try
        {
            while (true)
            {
                frames.Add(await stream.Reader.ReadFrameAsync(timeout.Token));
            }
        }
        catch (EndOfStreamException)
        {
            ended = true;
        }

        Assert.True(ended, "the stream outlived its token");
        Assert.Equal("token expired", frames[^1].Comment);
    }
}
