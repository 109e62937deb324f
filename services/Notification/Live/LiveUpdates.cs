using System.Text.Json;
using Marketplace.Notification.Domain;
using Marketplace.Shared.Contracts;
using StackExchange.Redis;

namespace Marketplace.Notification.Live;

/// <summary>The Redis channels live updates travel on; every replica's streams subscribe to their reader's.</summary>
public static class LiveChannels
{
    public static RedisChannel User(Guid userId) => RedisChannel.Literal($"notifications:user:{userId}");

    public static RedisChannel Merchant(Guid merchantId) => RedisChannel.Literal($"notifications:merchant:{merchantId}");
}

/// <summary>One server-sent event for the readers of <see cref="Channel"/>: its name and its JSON data.</summary>
public sealed record LiveUpdate(RedisChannel Channel, string Event, object Data)
{
    public const string NotificationEvent = "notification";
    public const string OrderStatusEvent = "order-status";

    public static LiveUpdate For(InAppNotification n) => new(
        n.UserId is { } userId ? LiveChannels.User(userId) : LiveChannels.Merchant(n.MerchantId!.Value),
        NotificationEvent,
        NotificationDto.From(n));

    public static IEnumerable<LiveUpdate> For(OrderStatusChanged m) => OrderStatus(m.OrderId, m.BuyerId, m.MerchantIds, m.To, null, m.Sequence);

    /// <summary>The confirmation carries its move to Confirmed: no separate status event is sent for it.</summary>
    public static IEnumerable<LiveUpdate> For(OrderConfirmed m) =>
        OrderStatus(m.OrderId, m.BuyerId, m.Lines.Select(l => l.MerchantId), "Confirmed", null, m.Sequence);

    /// <summary>The cancellation carries its move to Cancelled, with the reason the buyer is shown.</summary>
    public static IEnumerable<LiveUpdate> For(OrderCancelled m) => OrderStatus(m.OrderId, m.BuyerId, m.MerchantIds, "Cancelled", m.Reason, m.Sequence);

    /// <summary>An order's new status for its buyer and for each merchant in it.</summary>
    private static IEnumerable<LiveUpdate> OrderStatus(Guid orderId, Guid buyerId, IEnumerable<Guid> merchantIds, string status, string? reason, int sequence)
    {
        var data = new OrderStatusDto(orderId, status, reason, sequence);
        yield return new LiveUpdate(LiveChannels.User(buyerId), OrderStatusEvent, data);
        foreach (var merchantId in merchantIds.Distinct())
        {
            yield return new LiveUpdate(LiveChannels.Merchant(merchantId), OrderStatusEvent, data);
        }
    }
}

public sealed record OrderStatusDto(Guid OrderId, string Status, string? Reason, int Sequence);

/// <summary>What travels on a channel: the event name and its data, serialised once by the publisher.</summary>
internal sealed record LiveEnvelope(string Event, JsonElement Data)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed class LiveUpdateOptions
{
    /// <summary>A comment line this often keeps idle connections open through proxies.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events a slow reader may fall behind by before its stream is closed (it reconnects and reloads the list).</summary>
    public int MaxBacklog { get; set; } = 256;

    /// <summary>Live streams one user may hold open at once, over every replica; one more is refused with 429.</summary>
    public int MaxStreamsPerUser { get; set; } = 5;
}

/// <summary>
/// Publishes live updates after their transaction committed. Best effort: the stored notifications are
/// the truth, a client that missed a push sees the row in its list, so Redis being down is logged, not thrown.
/// </summary>
public sealed class LiveUpdatePublisher(IConnectionMultiplexer redis, ILogger<LiveUpdatePublisher> logger)
{
    public async Task PublishAsync(IReadOnlyCollection<LiveUpdate> updates)
    {
        if (updates.Count == 0)
        {
            return;
        }
        var subscriber = redis.GetSubscriber();
        foreach (var update in updates)
        {
            try
            {
                var envelope = new LiveEnvelope(update.Event, JsonSerializer.SerializeToElement(update.Data, update.Data.GetType(), LiveEnvelope.Json));
                await subscriber.PublishAsync(update.Channel, JsonSerializer.Serialize(envelope, LiveEnvelope.Json));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Live update {Event} for {Channel} not published; the reader sees it on its next list", update.Event, update.Channel);
            }
        }
    }
}
