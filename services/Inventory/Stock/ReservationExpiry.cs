using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Inventory.Stock;

public sealed class InventoryOptions
{
    /// <summary>How long an order's stock is held when Ordering does not say (it normally does: 10 minutes).</summary>
    public TimeSpan DefaultHold { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>No hold lasts longer, whatever a request asks.</summary>
    public TimeSpan MaxHold { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int DefaultLowStockThreshold { get; set; } = 5;
}

/// <summary>
/// Releases holds that ran out, on any number of replicas at once: each pass claims due reservations with
/// <c>FOR UPDATE SKIP LOCKED</c>, gives their stock back and announces ReservationExpired, all in one
/// transaction per reservation.
/// </summary>
public sealed class ReservationExpiry(IServiceScopeFactory scopes, TimeProvider clock, IOptions<InventoryOptions> options, ILogger<ReservationExpiry> logger)
    : LeasedBatchWorker(signal: null, clock, logger)
{
    protected override TimeSpan PollInterval => options.Value.ExpiryInterval;

    protected override Task<bool> PassAsync(CancellationToken ct) => ExpireOneAsync(ct);

    /// <summary>Expires the oldest due hold, if any; true when it found one.</summary>
    public async Task<bool> ExpireOneAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        var stock = scope.ServiceProvider.GetRequiredService<StockBook>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = Clock.GetUtcNow();
            var due = await db.Database.SqlQuery<Guid>($"""
                SELECT order_id AS "Value" FROM reservations
                WHERE status = {nameof(ReservationStatus.Held)} AND hold_until <= {now}
                ORDER BY hold_until LIMIT 1 FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            if (due.Count == 0)
            {
                return false;
            }
            await stock.ReleaseAsync(due[0], "The hold expired before the order was paid for.", expired: true, "expiry", ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            Logger.LogInformation("Reservation of order {OrderId} expired; its stock is back on sale", due[0]);
            return true;
        });
    }
}
