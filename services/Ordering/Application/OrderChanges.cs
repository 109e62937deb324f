using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Ordering.Application;

/// <summary>What became of a change asked of an order.</summary>
public abstract record OrderChangeResult
{
    /// <summary>No such order, or not one the caller may change.</summary>
    public sealed record NotFound : OrderChangeResult;

    /// <summary>The order's state does not allow the change (its rule's reason, and the status it is in).</summary>
    public sealed record Refused(string Reason, OrderStatus Status) : OrderChangeResult;

    /// <summary>Changed, its messages staged and committed with it.</summary>
    public sealed record Changed(Order Order) : OrderChangeResult;
}

/// <summary>A change to one order through its aggregate: locked, checked, applied, and its messages staged, in one transaction.</summary>
public sealed class OrderChanges(OrderingDbContext db, TimeProvider clock)
{
    public async Task<OrderChangeResult> ChangeAsync(Guid id, Func<Order, bool> mayChange, Action<Order, DateTimeOffset> change, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var order = await db.LoadForUpdateAsync(id, ct, withHistory: true);
            if (order is null || !mayChange(order))
            {
                return (OrderChangeResult)new OrderChangeResult.NotFound();
            }
            try
            {
                change(order, clock.GetUtcNow());
            }
            catch (IllegalTransitionException e)
            {
                return new OrderChangeResult.Refused(e.Message, order.Status);
            }
            db.StageOutgoing(order);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new OrderChangeResult.Changed(order);
        });
    }
}
