using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Marketplace.Shared.Concurrency;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Shared.Messaging;

public sealed class OutboxRelayOptions
{
    public int BatchSize { get; set; } = 100;

    /// <summary>Publishes awaiting the broker's confirm at the same time, within a batch.</summary>
    public int PublishConcurrency { get; set; } = 16;
    /// <summary>How often a relay looks for rows when nothing in this process signalled a commit.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Publishes committed outbox rows. Each pass claims a batch with <c>FOR UPDATE SKIP LOCKED</c> (so
/// any number of replicas can run it), publishes every row with its id as MessageId and marks it
/// published in the same transaction. A crash after publishing and before commit republishes the row:
/// delivery is at least once, and the inbox makes handling exactly once.
/// </summary>
public sealed class OutboxRelay<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    ForegroundWork foreground,
    TimeProvider clock,
    IOptions<OutboxRelayOptions> options,
    ILogger<OutboxRelay<TDbContext>> logger) : LeasedBatchWorker(signal, clock, logger)
    where TDbContext : DbContext
{
    private readonly OutboxRelayOptions _options = options.Value;

    /// <summary>When a full batch was left behind: the newest row of that batch was made then, the rest later.</summary>
    private DateTimeOffset? _backlogSince;

    protected override TimeSpan PollInterval => _options.PollInterval;

    /// <summary>More may be due when the batch came back full and the broker took all of it.</summary>
    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        // A click in flight here goes first: its commit signalled this pass, and its answer is what a buyer waits on.
        // Once the rows left behind are old (a sale that never pauses), the relay catches up without waiting.
        await foreground.YieldAsync(_backlogSince, ct);
        var result = await RelayBatchAsync(ct);
        var more = result.Claimed >= _options.BatchSize && result.Failed == 0;
        _backlogSince = more ? result.Newest : null;
        return more;
    }

    /// <summary>Claims and publishes one batch of due rows.</summary>
    public async Task<BatchResult> RelayBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = Clock.GetUtcNow();
            var rows = await db.Set<OutboxMessage>()
                .FromSql($"""
                    SELECT * FROM outbox_messages
                    WHERE published_at IS NULL AND next_attempt_at <= {now}
                    ORDER BY created_at
                    LIMIT {_options.BatchSize}
                    FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(ct);

            // Up to PublishConcurrency confirms in flight at once: a confirm takes a broker round trip, so one
            // at a time caps a relay near 100 messages/s. Consumers never rely on order within a batch (they
            // order by the versions events carry, and are idempotent).
            var published = new ConcurrentBag<Guid>();
            var failed = 0;
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = _options.PublishConcurrency, CancellationToken = ct }, async (row, token) =>
            {
                if (Volatile.Read(ref failed) > 0)
                {
                    return; // the broker is most likely unreachable: leave the rest of the batch for the next pass
                }
                try
                {
                    await PublishAsync(row, token);
                    published.Add(row.Id);
                }
                catch (MessageReturnedException ex) when (!token.IsCancellationRequested)
                {
                    // The broker is fine but no queue takes the message yet (its consumer has not started for the first
                    // time): kept, and published again after a backoff. The rest of the batch goes on.
                    row.MarkFailed(Clock.GetUtcNow(), $"No queue is bound for {row.MessageType} yet: {ex.GetBaseException().Message}", _options.MaxBackoff);
                    MessagingTelemetry.Unrouted.Add(1);
                    Logger.LogWarning("Outbox message {MessageId} ({MessageType}) was returned by the broker: no queue is bound for it yet; attempt {Attempt}, kept for the next one",
                        row.Id, row.MessageType, row.Attempts);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    row.MarkFailed(Clock.GetUtcNow(), ex.GetBaseException().Message, _options.MaxBackoff);
                    MessagingTelemetry.PublishFailures.Add(1);
                    Logger.LogWarning(ex, "Publishing outbox message {MessageId} ({MessageType}) failed, attempt {Attempt}",
                        row.Id, row.MessageType, row.Attempts);
                }
            });

            // The published rows are marked in one statement (not one UPDATE per row); the failed ones carry their backoff.
            if (!published.IsEmpty)
            {
                var ids = published.ToArray();
                var at = Clock.GetUtcNow();
                await db.Set<OutboxMessage>().Where(m => ids.Contains(m.Id))
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.PublishedAt, at).SetProperty(m => m.LastError, (string?)null), ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new BatchResult(rows.Count, published.Count, failed, rows.Count > 0 ? rows[^1].CreatedAt : null);
        });
    }

    private Task PublishAsync(OutboxMessage row, CancellationToken ct) => OutboxPublishing.PublishAsync(bus, row, _options.PublishTimeout, ct);

    /// <param name="Newest">When the newest row claimed was made (rows are claimed oldest first).</param>
    public readonly record struct BatchResult(int Claimed, int Published, int Failed, DateTimeOffset? Newest = null)
    {
        public static BatchResult Empty => default;
    }
}

/// <summary>How a stored event goes on the bus, whichever store kept it.</summary>
public static class OutboxPublishing
{
    /// <summary>
    /// Publishes the event with its stored id as MessageId (so consumers handle it once however often it is
    /// published) and the writer's trace context as parent; waits for the broker's confirm up to <paramref name="timeout"/>.
    /// The publish is mandatory: a message no queue is bound for (every consumer of it yet to start for the first time,
    /// as when Identity announces its seeded accounts before Users has declared its queue) is returned by the broker
    /// and throws <see cref="MessageReturnedException"/>, so the caller keeps it instead of the broker dropping it.
    /// Every message type we publish has a consumer; one without would be retried for ever, so none is published.
    /// </summary>
    public static async Task PublishAsync(IBus bus, OutboxMessage row, TimeSpan timeout, CancellationToken ct)
    {
        var messageType = row.ResolveType();
        var message = row.Deserialize();
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        using var activity = MessagingTelemetry.Source.StartActivity(
            $"outbox relay {messageType.Name}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.Id);
        if (row.CorrelationId is not null)
        {
            activity?.SetBaggage("correlation.id", row.CorrelationId);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        await bus.Publish(message, messageType, Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = row.Id;
            if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
            {
                rabbit.Mandatory = true;
            }
            if (row.CorrelationId is not null)
            {
                context.Headers.Set("X-Correlation-Id", row.CorrelationId);
            }
        }), timeoutSource.Token);
        MessagingTelemetry.Published.Add(1);
    }
}

/// <summary>Wakes the relay as soon as this process commits, so delivery does not wait for the next poll.</summary>
public sealed class OutboxSignal : WorkSignal;

/// <summary>
/// Wakes a background worker as soon as this process commits work for it, so the work does not wait for the
/// next poll. Signals coalesce: one wake-up covers every commit before it.
/// </summary>
public class WorkSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        if (_semaphore.CurrentCount > 0)
        {
            return; // already signalled: the worker will look once, which covers every commit so far
        }
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled by another commit between the look and the release: the same.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}

internal static class MessagingTelemetry
{
    public const string Name = "Marketplace.Messaging";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    public static readonly Counter<long> Published = Meter.CreateCounter<long>("marketplace.outbox.published");
    public static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>("marketplace.outbox.publish_failures");
    public static readonly Counter<long> Unrouted = Meter.CreateCounter<long>("marketplace.outbox.unrouted");
    public static readonly Counter<long> DuplicatesSkipped = Meter.CreateCounter<long>("marketplace.inbox.duplicates_skipped");
}
