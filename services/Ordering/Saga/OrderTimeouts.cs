using Marketplace.Ordering.Application;
using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Ordering.Saga;

/// <summary>
/// Gives up on steps that were not answered in time (stock, payment) and compensates. Safe on any number
/// of replicas: each pass claims due orders with <c>FOR UPDATE SKIP LOCKED</c>, and the deadline lives
/// in the order's row, so it survives a restart of Ordering.
/// </summary>
public sealed class OrderTimeouts(IServiceScopeFactory scopes, TimeProvider clock, Microsoft.Extensions.Options.IOptions<SagaTimeouts> options, ILogger<OrderTimeouts> logger)
    : LeasedBatchWorker(signal: null, clock, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override TimeSpan PollInterval => Interval;

    /// <summary>
    /// After a restart, replies that queued up while this process was down are consumed first: an answer that arrived
    /// in time is not overtaken by a timeout judged only now.
    /// </summary>
    protected override TimeSpan StartDelay => options.Value.GraceAfterStart;

    protected override async Task<bool> PassAsync(CancellationToken ct) => await TimeOutDueAsync(ct) > 0;

    /// <summary>Times out up to 20 due orders; returns how many it handled.</summary>
    public async Task<int> TimeOutDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderingDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = Clock.GetUtcNow();
            var due = await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM orders WHERE deadline_at <= {now}
                ORDER BY deadline_at LIMIT 20 FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            foreach (var id in due)
            {
                var order = (await db.LoadForUpdateAsync(id, ct))!;
                var before = order.Status;
                order.TimedOut(now);
                if (order.Status != before)
                {
                    OrderingTelemetry.OrdersCancelled.Add(1);
                    Logger.LogWarning("Order {OrderId} timed out while {Status}: {Reason}", id, before, order.CancelReason);
                }
                db.StageOutgoing(order);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return due.Count;
        });
    }
}
