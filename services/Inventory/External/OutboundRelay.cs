using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.Stock;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Marketplace.Inventory.External;

/// <summary>Wakes the outbound relay when a commit queued a change for an external system.</summary>
public sealed class OutboundSignal : WorkSignal;

public sealed class OutboundSignalInterceptor(OutboundSignal signal) : CommitSignalInterceptor<OutboundSignalInterceptor>(signal.Notify)
{
    protected override bool GivesWork(DbContext context) =>
        context.ChangeTracker.Entries<OutboundChange>().Any(e => e.State == EntityState.Added);
}

/// <summary>
/// Delivers our changes to each external system, in the order they were made, one replica at a time per
/// system (a lease on its row). Each call goes through the system's circuit breaker: while it is open no
/// call is made and changes wait in the queue; a failed call is retried with growing delays, under the
/// same idempotency key, so the system applies each change once. The system's answer (the level it now
/// counts) settles our stock in the same transaction that marks the change delivered.
/// </summary>
public sealed class OutboundRelay(IServiceScopeFactory scopes, ExternalDirectory directory, IHttpClientFactory httpClients, OutboundSignal signal,
    TimeProvider clock, ILogger<OutboundRelay> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);
    private readonly string _owner = Truncated($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}", 100);
    private readonly Dictionary<string, Link> _links = directory.Systems.ToDictionary(s => s, s => new Link(directory.Find(s)!, clock));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromSeconds(5);
            foreach (var (system, link) in _links)
            {
                try
                {
                    var next = await DeliverAsync(system, link, stoppingToken);
                    wait = next < wait ? next : wait;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "Outbound delivery to {System} failed; trying again shortly", system);
                    wait = TimeSpan.FromSeconds(1);
                }
            }
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await signal.WaitAsync(wait, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Delivers what is due; returns how long until there may be more to do.</summary>
    private async Task<TimeSpan> DeliverAsync(string system, Link link, CancellationToken ct)
    {
        var poll = link.Options.RelayPollInterval;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        // Nothing queued (the usual case): no lease is taken, so an idle relay writes nothing.
        if (!await db.OutboundChanges.AnyAsync(o => o.System == system && o.DeliveredAt == null, ct))
        {
            return poll;
        }
        var now = clock.GetUtcNow();
        if (await db.Database.ExecuteSqlAsync($"""
                UPDATE external_systems SET lease_owner = {_owner}, lease_until = {now + LeaseDuration}
                WHERE code = {system} AND (lease_until IS NULL OR lease_until < {now} OR lease_owner = {_owner})
                """, ct) == 0)
        {
            return poll;
        }
        var client = ExternalSystemClient.For(httpClients, system, clock);
        try
        {
            for (var delivered = 0; delivered < 200; delivered++)
            {
                var head = await db.OutboundChanges.AsNoTracking().Where(o => o.System == system && o.DeliveredAt == null).OrderBy(o => o.Id).FirstOrDefaultAsync(ct);
                now = clock.GetUtcNow();
                if (head is null)
                {
                    return poll;
                }
                if (head.NextAttemptAt > now)
                {
                    var due = head.NextAttemptAt - now;
                    return due < poll ? due : poll;
                }
                DeliveryResult result;
                try
                {
                    result = await link.Pipeline.ExecuteAsync(async token =>
                    {
                        // Counted before the call: from here the change may be applied there, whatever happens to us.
                        await db.Database.ExecuteSqlAsync($"UPDATE outbound_changes SET attempts = attempts + 1 WHERE id = {head.Id}", token);
                        head.Attempts++;
                        return await client.SendAsync(head, token);
                    }, ct);
                }
                catch (BrokenCircuitException)
                {
                    return poll; // no call was made; the change waits for the breaker to let one through
                }
                catch (Exception e) when (e is ExternalSystemUnavailableException or TimeoutRejectedException)
                {
                    var delay = Backoff(link.Options, head.Attempts);
                    var error = ExternalStockInbox.Truncate($"Change {head.Id} ({head.Kind} {head.Sku} {head.Delta:+0;-0}): {e.Message}");
                    await db.Database.ExecuteSqlAsync($"""
                        UPDATE outbound_changes SET next_attempt_at = {now + delay}, last_error = {error} WHERE id = {head.Id};
                        UPDATE external_systems SET delivery_failures = delivery_failures + 1, last_error = {error}, last_error_at = {now} WHERE code = {system};
                        """, ct);
                    logger.LogWarning("Delivery of change {Id} to {System} failed (attempt {Attempts}): {Error}; next in {Delay}", head.Id, system, head.Attempts, e.Message, delay);
                    return delay < poll ? delay : poll;
                }
                await CompleteAsync(db, scope.ServiceProvider.GetRequiredService<StockBook>(), system, head, result, ct);
            }
            return TimeSpan.Zero;
        }
        finally
        {
            // Whatever happened above: the breaker's state as the calls left it, for the status API.
            await link.PersistStateAsync(db, system, clock.GetUtcNow(), ct);
        }
    }

    /// <summary>In one transaction: the change is done, the level the system answered is kept, and our stock settled to it.</summary>
    private async Task CompleteAsync(InventoryDbContext db, StockBook book, string system, OutboundChange change, DeliveryResult result, CancellationToken ct)
    {
        var warehouse = directory.Find(system)!.Warehouse;
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            await db.Database.ExecuteSqlAsync($"""
                UPDATE outbound_changes SET delivered_at = {now}, refused = {result.Refusal is not null}, last_error = {result.Refusal} WHERE id = {change.Id};
                UPDATE external_systems SET last_outbound_at = {now} WHERE code = {system};
                """, ct);
            if (result.Level is { } level)
            {
                await book.RecordExternalLevelAsync(system, level, ct);
            }
            await book.SettleExternalAsync(system, warehouse, change.Sku, MovementKind.Sync, $"{system} answered change {change.Id}", system, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        });
        if (result.Refusal is not null)
        {
            logger.LogWarning("{System} refused change {Id} ({Kind} {Sku} {Delta}): {Refusal}", system, change.Id, change.Kind, change.Sku, change.Delta, result.Refusal);
        }
    }

    private static string Truncated(string text, int length) => text.Length <= length ? text : text[^length..];

    internal static TimeSpan Backoff(ExternalSystemOptions options, int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = TimeSpan.FromMilliseconds(options.RetryBaseDelay.TotalMilliseconds * factor);
        return delay < options.RetryMaxDelay ? delay : options.RetryMaxDelay;
    }

    /// <summary>One system's breaker and call timeout, and the breaker state last written to its row.</summary>
    private sealed class Link
    {
        private readonly CircuitBreakerStateProvider _state = new();
        private string? _persisted;

        public Link(ExternalSystemOptions options, TimeProvider clock)
        {
            Options = options;
            Pipeline = new ResiliencePipelineBuilder<DeliveryResult> { TimeProvider = clock }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryResult>
                {
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakDuration,
                    StateProvider = _state,
                    // A refusal is an answer: the system is up. Only no answer (or a 5xx) counts against it.
                    ShouldHandle = new PredicateBuilder<DeliveryResult>().Handle<ExternalSystemUnavailableException>().Handle<TimeoutRejectedException>(),
                })
                .AddTimeout(options.CallTimeout)
                .Build();
        }

        public ExternalSystemOptions Options { get; }
        public ResiliencePipeline<DeliveryResult> Pipeline { get; }

        public string State => _state.CircuitState switch
        {
            CircuitState.Closed => BreakerStates.Closed,
            CircuitState.HalfOpen => BreakerStates.HalfOpen,
            _ => BreakerStates.Open,
        };

        public async Task PersistStateAsync(InventoryDbContext db, string system, DateTimeOffset now, CancellationToken ct)
        {
            var state = State;
            if (state == _persisted)
            {
                return;
            }
            await db.Database.ExecuteSqlAsync($"UPDATE external_systems SET breaker = {state}, breaker_changed_at = {now} WHERE code = {system}", ct);
            _persisted = state;
        }
    }
}
