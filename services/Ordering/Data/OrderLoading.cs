using Marketplace.Ordering.Domain;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Ordering.Data;

public static class OrderLoading
{
    /// <summary>
    /// The order with its lines, its row locked until the transaction ends: changes to one order happen one
    /// at a time. Its history is loaded only when asked for (<paramref name="withHistory"/>); new moves are
    /// appended either way.
    /// </summary>
    public static async Task<Order?> LoadForUpdateAsync(this OrderingDbContext db, Guid id, CancellationToken ct, bool withHistory = false)
    {
        // One round trip: PostgreSQL locks the row selected FOR UPDATE in the subquery EF composes the join around.
        var query = db.Orders.FromSql($"SELECT * FROM orders WHERE id = {id} FOR UPDATE").Include(o => o.Lines);
        return withHistory
            ? await query.Include(o => o.Transitions).AsSplitQuery().SingleOrDefaultAsync(ct)
            : await query.SingleOrDefaultAsync(ct);
    }

    /// <summary>Puts the messages the order's last changes made necessary into the outbox of the current transaction.</summary>
    public static void StageOutgoing(this OrderingDbContext db, Order order)
    {
        foreach (var message in order.Outgoing)
        {
            db.AddIntegrationEvent(message);
        }
        order.ClearOutgoing();
    }
}
