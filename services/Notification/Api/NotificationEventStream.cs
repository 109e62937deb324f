using System.Text.Json;
using System.Threading.Channels;
using Marketplace.Notification.Live;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Notification.Api;

/// <summary>
/// A <c>text/event-stream</c> of what is published on the reader's Redis channels, wherever it was
/// published (any replica). Written by hand rather than with <c>TypedResults.ServerSentEvents</c>,
/// which has no way to send the comment heartbeats idle proxies need. The subscription is in place
/// before the first byte is sent, so a client that sees the response has missed nothing since.
/// Limits: a user holds at most <see cref="LiveUpdateOptions.MaxStreamsPerUser"/> streams at once (one more
/// is refused with 429), and a stream ends when the access token it was opened with expires (its <c>exp</c>),
/// after a <c>: token expired</c> comment, so the client reconnects with a fresh token.
/// </summary>
public sealed class NotificationEventStream(IReadOnlyList<RedisChannel> channels, Guid userId, DateTimeOffset tokenExpires) : IResult
{
    public IReadOnlyList<RedisChannel> Channels { get; } = channels;

    public async Task ExecuteAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<LiveUpdateOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<NotificationEventStream>>();
        var clock = services.GetRequiredService<TimeProvider>();
        var slots = services.GetRequiredService<LiveStreamSlots>();
        var lifetime = tokenExpires - clock.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            // Accepted within the token check's clock skew, but a stream would end at once.
            await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Token expired",
                detail: "The access token has expired; a live stream lasts as long as the token it is opened with. Get a new token.").ExecuteAsync(http);
            return;
        }
        // Ends on shutdown too, so clients reconnect to another replica instead of holding this one open.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(
            http.RequestAborted, services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var ct = stop.Token;
        using var expiry = new CancellationTokenSource(lifetime, clock);
        using var live = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);

        var streamId = Guid.NewGuid().ToString("N");
        var slotTaken = false;
        var backlog = Channel.CreateBounded<RedisValue>(new BoundedChannelOptions(options.MaxBacklog) { SingleReader = true });
        var subscriber = services.GetRequiredService<IConnectionMultiplexer>().GetSubscriber();
        var queues = new List<ChannelMessageQueue>();
        try
        {
            try
            {
                slotTaken = await slots.TryTakeAsync(userId, streamId);
                if (!slotTaken)
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.HeartbeatInterval.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many live streams",
                        detail: $"A user holds at most {options.MaxStreamsPerUser} live streams at once. Close one (another tab or device) and try again.").ExecuteAsync(http);
                    return;
                }
                foreach (var channel in Channels)
                {
                    var queue = await subscriber.SubscribeAsync(channel);
                    queue.OnMessage(message =>
                    {
                        if (!backlog.Writer.TryWrite(message.Message))
                        {
                            logger.LogInformation("A live stream fell {Backlog} events behind; closing it so the client reloads", options.MaxBacklog);
                            backlog.Writer.TryComplete();
                        }
                    });
                    queues.Add(queue);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Live updates unavailable: Redis did not accept the subscription");
                await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Live updates are unavailable",
                    detail: "Try again shortly; notifications are still listed by GET /api/notifications.").ExecuteAsync(http);
                return;
            }

            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await WriteAsync(http, ": connected\n\n", ct);
            try
            {
                await PumpAsync(http, backlog.Reader, options.HeartbeatInterval, () => RenewAsync(slots, streamId, logger), live.Token);
            }
            catch (OperationCanceledException) when (expiry.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                await WriteAsync(http, ": token expired\n\n", ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The client went away, or this replica is stopping.
        }
        finally
        {
            foreach (var queue in queues)
            {
                try
                {
                    await queue.UnsubscribeAsync();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Redis is gone, and with it the subscription.
                    logger.LogDebug(ex, "Unsubscribing {Channel} failed", queue.Channel);
                }
            }
            if (slotTaken)
            {
                try
                {
                    await slots.ReleaseAsync(userId, streamId);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // The slot's lease runs out on its own.
                    logger.LogDebug(ex, "Releasing live stream slot {StreamId} failed", streamId);
                }
            }
        }
    }

    private async Task RenewAsync(LiveStreamSlots slots, string streamId, ILogger logger)
    {
        try
        {
            await slots.RenewAsync(userId, streamId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogDebug(ex, "Renewing live stream slot {StreamId} failed", streamId);
        }
    }

    private static async Task PumpAsync(HttpContext http, ChannelReader<RedisValue> events, TimeSpan heartbeatInterval, Func<Task> renew, CancellationToken ct)
    {
        var renewed = Environment.TickCount64;
        while (true)
        {
            if (Environment.TickCount64 - renewed >= heartbeatInterval.TotalMilliseconds)
            {
                await renew();
                renewed = Environment.TickCount64;
            }
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            idle.CancelAfter(heartbeatInterval);
            try
            {
                if (!await events.WaitToReadAsync(idle.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await WriteAsync(http, ": heartbeat\n\n", ct);
                continue;
            }
            while (events.TryRead(out var message))
            {
                if (Format(message) is { } frame)
                {
                    await http.Response.WriteAsync(frame, ct);
                }
            }
            await http.Response.Body.FlushAsync(ct);
        }
    }

    /// <summary>One SSE frame; the data is compact JSON, so it is always a single <c>data:</c> line.</summary>
    internal static string? Format(RedisValue message)
    {
        if (message.IsNullOrEmpty)
        {
            return null;
        }
        var envelope = JsonSerializer.Deserialize<LiveEnvelope>(message.ToString(), LiveEnvelope.Json);
        return envelope is null ? null : $"event: {envelope.Event}\ndata: {envelope.Data.GetRawText()}\n\n";
    }

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken ct)
    {
        await http.Response.WriteAsync(text, ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
