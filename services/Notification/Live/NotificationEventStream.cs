using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Notification.Live;

/// <summary>
/// A <c>text/event-stream</c> of what is published on the reader's Redis channels, wherever it was
/// published (any replica). Written by hand rather than with <c>TypedResults.ServerSentEvents</c>,
/// which has no way to send the comment heartbeats idle proxies need. The subscription is in place
/// before the first byte is sent, so a client that sees the response has missed nothing since.
/// </summary>
public sealed class NotificationEventStream(IReadOnlyList<RedisChannel> channels) : IResult
{
    public IReadOnlyList<RedisChannel> Channels { get; } = channels;

    public async Task ExecuteAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<LiveUpdateOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<NotificationEventStream>>();
        // Ends on shutdown too, so clients reconnect to another replica instead of holding this one open.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(
            http.RequestAborted, services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var ct = stop.Token;

        var backlog = Channel.CreateBounded<RedisValue>(new BoundedChannelOptions(options.MaxBacklog) { SingleReader = true });
        var subscriber = services.GetRequiredService<IConnectionMultiplexer>().GetSubscriber();
        var queues = new List<ChannelMessageQueue>();
        try
        {
            try
            {
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
            await PumpAsync(http, backlog.Reader, options.HeartbeatInterval, ct);
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
        }
    }

    private static async Task PumpAsync(HttpContext http, ChannelReader<RedisValue> events, TimeSpan heartbeatInterval, CancellationToken ct)
    {
        while (true)
        {
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
