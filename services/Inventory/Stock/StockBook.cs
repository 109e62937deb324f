using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Inventory.Stock;

public enum SettleResult
{
    Unchanged,
    Moved,
    /// <summary>Moved as far as the units held for orders allow: the system counts fewer than we promised.</summary>
    Short,
    InFlight,
    UnknownSku,
}

/// <param name="Before">Our on-hand units in the system's warehouse before.</param>
/// <param name="After">…and after.</param>
/// <param name="Theirs">The system's count.</param>
/// <param name="Pending">Our changes it has not received yet.</param>
public sealed record Settlement(SettleResult Result, int Before, int After, int Theirs, int Pending);


/// <summary>
/// Every change to stock, in the caller's transaction. A change first locks the SKU's item row (bumping
/// its version), so changes of one SKU happen one at a time and their StockChanged events carry
/// increasing versions; it then moves the levels, appends the ledger rows and stages the events. The
/// database's check constraints refuse a negative level or more reserved than on hand, so even a bug
/// here could not oversell.
/// </summary>
public sealed class StockBook(InventoryDbContext db, TimeProvider clock, IExternalWarehouses external, IOptions<InventoryOptions> options, ILogger<StockBook> logger)
{
    /// <param name="Reference">The ledger row's reference when it is not the whole change's (a batch of holds: each order's own).</param>
    private sealed record LevelChange(string Warehouse, int OnHandDelta, int ReservedDelta, string? Reference = null);

    /// <summary>
    /// Holds every line of the order, all or nothing, and stages the reply (StockReserved or
    /// StockReservationFailed) unless <paramref name="reply"/> is false (the caller was answered directly, as
    /// Ordering is when it holds at the click). A second request for the same order answers as the first did.
    /// </summary>
    public async Task<ReserveOutcome> ReserveAsync(Guid orderId, IReadOnlyList<StockLine> lines, DateTimeOffset holdUntil, string actor, CancellationToken ct, bool reply = true)
    {
        var now = clock.GetUtcNow();
        var wanted = lines.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => new StockLine(g.Key, g.Sum(l => l.Quantity)))
            // One lock order for every transaction: two orders for the same SKUs never wait on each other in a cycle.
            .OrderBy(l => l.Sku, StringComparer.Ordinal).ToList();
        var existing = await LockReservationAsync(orderId, ct);
        if (existing is not null)
        {
            var outcome = GrantedBefore(existing, holdUntil);
            if (outcome is null)
            {
                // Asked again (a retry of a call that timed out): the same refusal, with what is left now.
                var left = await AvailableAsync(wanted, ct);
                var shortNow = wanted.Where(l => left.GetValueOrDefault(l.Sku) < l.Quantity).Select(l => l.Sku).ToList();
                if (shortNow.Count == 0)
                {
                    shortNow = [.. wanted.Select(l => l.Sku)];
                }
                outcome = new ReserveOutcome(false, RefusedBecause(existing), shortNow, Left: shortNow.ToDictionary(sku => sku, sku => Math.Max(0, left.GetValueOrDefault(sku))));
            }
            if (reply)
            {
                StageReply(orderId, outcome, now);
            }
            return outcome;
        }

        // Cheap refusal without taking any lock: in a sold-out flash sale most requests end here.
        var available = await AvailableAsync(wanted, ct);
        var short_ = wanted.Where(l => available.GetValueOrDefault(l.Sku) < l.Quantity).Select(l => l.Sku).ToList();
        if (short_.Count == 0)
        {
            var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Reserve runs inside the caller's transaction.");
            await tx.CreateSavepointAsync("reserve", ct);
            var held = new List<ReservationLine>();
            foreach (var line in wanted)
            {
                var allocated = await ChangeSkuAsync(line.Sku, levels => Allocate(levels, line.Quantity), MovementKind.Reserve, orderId.ToString(), actor, ct);
                if (allocated is null)
                {
                    short_.Add(line.Sku);
                    break;
                }
                held.AddRange(allocated.Select(c => new ReservationLine { OrderId = orderId, Sku = line.Sku, Warehouse = c.Warehouse, Quantity = c.ReservedDelta }));
            }
            if (short_.Count == 0)
            {
                db.Reservations.Add(new Reservation { OrderId = orderId, Status = ReservationStatus.Held, HoldUntil = holdUntil, CreatedAt = now, UpdatedAt = now });
                db.ReservationLines.AddRange(held);
                var reserved = new ReserveOutcome(true, HoldUntil: holdUntil);
                if (reply)
                {
                    StageReply(orderId, reserved, now);
                }
                return reserved;
            }
            // Someone took the last units between the check and the lock: undo the lines already held.
            await tx.RollbackToSavepointAsync("reserve", ct);
            db.ChangeTracker.Clear();
            available = await AvailableAsync(wanted, ct);
        }

        var reason = $"Not enough stock for {string.Join(", ", short_)}.";
        db.Reservations.Add(new Reservation { OrderId = orderId, Status = ReservationStatus.Failed, Reason = reason, CreatedAt = now, UpdatedAt = now });
        var failed = new ReserveOutcome(false, reason, short_, Left: short_.ToDictionary(sku => sku, sku => Math.Max(0, available.GetValueOrDefault(sku))));
        if (reply)
        {
            StageReply(orderId, failed, now);
        }
        return failed;
    }

    /// <summary>
    /// Holds of one SKU for many orders, in one transaction and in arrival order (a lane's batch: see
    /// <see cref="HoldLanes"/>). Answers each hold as <see cref="ReserveAsync"/> would have, one outcome per
    /// request in the same order. Orders already known answer as they did before; when the unlocked read shows
    /// nothing left, every new request is refused without locking the SKU; otherwise the SKU is locked once, the
    /// holds are granted from its levels one after another while they last, each warehouse's level moves once by
    /// the batch's sum, every granted order gets its ledger row and reservation, and one StockChanged tells the
    /// newest level.
    /// </summary>
    public async Task<IReadOnlyList<ReserveOutcome>> ReserveBatchAsync(string sku, IReadOnlyList<HoldRequest> requests, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = requests.Select(r => r.OrderId).Distinct().ToArray();
        var known = (await db.Reservations.FromSql($"SELECT * FROM reservations WHERE order_id = ANY({ids}) FOR UPDATE").ToListAsync(ct))
            .ToDictionary(r => r.OrderId);
        var decided = new Dictionary<Guid, ReserveOutcome>();
        var available = (await AvailableAsync([new StockLine(sku, 1)], ct)).GetValueOrDefault(sku);
        foreach (var request in requests.Where(r => known.ContainsKey(r.OrderId)).DistinctBy(r => r.OrderId))
        {
            var reservation = known[request.OrderId];
            decided[request.OrderId] = GrantedBefore(reservation, request.HoldUntil) ?? Refusal(RefusedBecause(reservation), available);
            if (request.Reply)
            {
                StageReply(request.OrderId, decided[request.OrderId], now); // as ReserveAsync answers a repeated request
            }
        }
        // The new orders, each once (a retry may sit in the same batch as its first request), in arrival order.
        var fresh = requests.Where(r => !known.ContainsKey(r.OrderId)).DistinctBy(r => r.OrderId).ToList();
        var granted = new Dictionary<Guid, List<LevelChange>>();
        if (fresh.Count > 0 && available >= fresh.Min(r => r.Quantity))
        {
            var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Reserve runs inside the caller's transaction.");
            await tx.CreateSavepointAsync("batch", ct);
            var changes = await ChangeSkuAsync(sku, levels =>
            {
                var left = levels.ToDictionary(l => l.Warehouse, l => new StockLevel { Sku = sku, Warehouse = l.Warehouse, OnHand = l.OnHand, Reserved = l.Reserved });
                foreach (var request in fresh)
                {
                    if (Allocate([.. left.Values], request.Quantity) is { } taken)
                    {
                        granted[request.OrderId] = [.. taken.Select(c => c with { Reference = request.OrderId.ToString() })];
                        foreach (var c in taken)
                        {
                            left[c.Warehouse].Reserved += c.ReservedDelta;
                        }
                    }
                }
                available = left.Values.Sum(l => l.Available);
                return granted.Count == 0 ? null : [.. granted.Values.SelectMany(c => c)];
            }, MovementKind.Reserve, "holds", requests[0].Actor, ct);
            if (changes is null)
            {
                // Nothing could be granted after all (or the SKU is unknown): leave the SKU as it was.
                await tx.RollbackToSavepointAsync("batch", ct);
                db.ChangeTracker.Clear();
                granted.Clear();
                available = (await AvailableAsync([new StockLine(sku, 1)], ct)).GetValueOrDefault(sku);
            }
        }
        foreach (var request in fresh)
        {
            if (granted.TryGetValue(request.OrderId, out var taken))
            {
                db.Reservations.Add(new Reservation { OrderId = request.OrderId, Status = ReservationStatus.Held, HoldUntil = request.HoldUntil, CreatedAt = now, UpdatedAt = now });
                db.ReservationLines.AddRange(taken.Select(c => new ReservationLine { OrderId = request.OrderId, Sku = sku, Warehouse = c.Warehouse, Quantity = c.ReservedDelta }));
                decided[request.OrderId] = new ReserveOutcome(true, HoldUntil: request.HoldUntil);
            }
            else
            {
                var refusal = Refusal($"Not enough stock for {sku}.", available);
                db.Reservations.Add(new Reservation { OrderId = request.OrderId, Status = ReservationStatus.Failed, Reason = refusal.Reason, CreatedAt = now, UpdatedAt = now });
                decided[request.OrderId] = refusal;
            }
            if (request.Reply)
            {
                StageReply(request.OrderId, decided[request.OrderId], now);
            }
        }
        return [.. requests.Select(r => decided[r.OrderId])];

        ReserveOutcome Refusal(string? reason, int left) => new(false, reason, [sku], Left: new Dictionary<string, int> { [sku] = Math.Max(0, left) });
    }

    /// <summary>The answer to an order whose reservation exists and holds (or held) its stock; null when it was refused or given back.</summary>
    private static ReserveOutcome? GrantedBefore(Reservation existing, DateTimeOffset holdUntil) =>
        existing.HoldsStock || existing.Status == ReservationStatus.Committed ? new ReserveOutcome(true, HoldUntil: existing.HoldUntil ?? holdUntil) : null;

    private static string? RefusedBecause(Reservation existing) =>
        existing.Status == ReservationStatus.Failed ? existing.Reason : $"The order's stock was {existing.Status.ToString().ToLowerInvariant()} before it could be held.";

    private void StageReply(Guid orderId, ReserveOutcome outcome, DateTimeOffset now) =>
        db.AddIntegrationEvent(outcome.Reserved
            ? new StockReserved(orderId, outcome.HoldUntil!.Value, now)
            : new StockReservationFailed(orderId, outcome.Reason ?? "Not enough stock.", outcome.Skus ?? [], now));

    /// <summary>The units available of each wanted SKU, read without a lock (an unknown SKU has none).</summary>
    private async Task<Dictionary<string, int>> AvailableAsync(IReadOnlyList<StockLine> wanted, CancellationToken ct)
    {
        var skus = wanted.Select(l => l.Sku).ToList();
        return await db.Levels.AsNoTracking().Where(l => skus.Contains(l.Sku))
            .GroupBy(l => l.Sku).Select(g => new { Sku = g.Key, Available = g.Sum(l => l.OnHand - l.Reserved) })
            .ToDictionaryAsync(x => x.Sku, x => x.Available, ct);
    }

    /// <summary>Takes the quantity from the warehouses with the most available first; null when they do not have it together.</summary>
    private static IReadOnlyList<LevelChange>? Allocate(IReadOnlyList<StockLevel> levels, int quantity)
    {
        var changes = new List<LevelChange>();
        foreach (var level in levels.Where(l => l.Available > 0).OrderByDescending(l => l.Available).ThenBy(l => l.Warehouse, StringComparer.Ordinal))
        {
            var take = Math.Min(level.Available, quantity);
            changes.Add(new LevelChange(level.Warehouse, 0, take));
            quantity -= take;
            if (quantity == 0)
            {
                return changes;
            }
        }
        return null;
    }

    /// <summary>The order is paid for: its hold stops expiring. Stages ReservationConfirmationFailed when the hold is gone.</summary>
    public async Task ConfirmAsync(Guid orderId, CancellationToken ct)
    {
        var reservation = await LockReservationAsync(orderId, ct);
        var now = clock.GetUtcNow();
        switch (reservation?.Status)
        {
            case ReservationStatus.Held:
                reservation.Status = ReservationStatus.Confirmed;
                reservation.HoldUntil = null;
                reservation.UpdatedAt = now;
                break;
            case ReservationStatus.Confirmed or ReservationStatus.Committed:
                break;
            default:
                db.AddIntegrationEvent(new ReservationConfirmationFailed(orderId,
                    reservation is null ? "No stock was held for the order." : $"The order's hold was {reservation.Status.ToString().ToLowerInvariant()} before the confirmation arrived.", now));
                break;
        }
    }

    /// <summary>
    /// Gives back every unshipped unit the order holds. For an order never reserved it leaves a released
    /// marker, so a reservation request that arrives later is refused instead of holding stock forever.
    /// </summary>
    public async Task<bool> ReleaseAsync(Guid orderId, string reason, bool expired, string actor, CancellationToken ct)
    {
        var reservation = await LockReservationAsync(orderId, ct);
        var now = clock.GetUtcNow();
        if (reservation is null)
        {
            db.Reservations.Add(new Reservation { OrderId = orderId, Status = ReservationStatus.Released, Reason = reason, CreatedAt = now, UpdatedAt = now });
            return false;
        }
        if (!reservation.HoldsStock)
        {
            return false;
        }
        var lines = await db.ReservationLines.Where(l => l.OrderId == orderId && !l.Committed).ToListAsync(ct);
        foreach (var sku in lines.GroupBy(l => l.Sku, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            await ChangeSkuAsync(sku.Key, _ => [.. sku.Select(l => new LevelChange(l.Warehouse, 0, -l.Quantity))],
                expired ? MovementKind.Expire : MovementKind.Release, orderId.ToString(), actor, ct);
        }
        reservation.Status = expired ? ReservationStatus.Expired : ReservationStatus.Released;
        reservation.Reason = reason;
        reservation.HoldUntil = null;
        reservation.UpdatedAt = now;
        if (expired)
        {
            db.AddIntegrationEvent(new ReservationExpired(orderId, now));
        }
        return true;
    }

    /// <summary>The order's lines for these SKUs shipped: their held units leave the stock for good.</summary>
    public async Task CommitAsync(Guid orderId, IReadOnlyCollection<string> skus, string actor, CancellationToken ct)
    {
        var reservation = await LockReservationAsync(orderId, ct);
        if (reservation is not { HoldsStock: true })
        {
            logger.LogWarning("Commit of order {OrderId} ignored: its reservation is {Status}", orderId, reservation?.Status.ToString() ?? "missing");
            return;
        }
        var lines = await db.ReservationLines.Where(l => l.OrderId == orderId).ToListAsync(ct);
        foreach (var sku in lines.Where(l => !l.Committed && skus.Contains(l.Sku)).GroupBy(l => l.Sku, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            await ChangeSkuAsync(sku.Key, _ => [.. sku.Select(l => new LevelChange(l.Warehouse, -l.Quantity, -l.Quantity))],
                MovementKind.Commit, orderId.ToString(), actor, ct);
            foreach (var line in sku)
            {
                line.Committed = true;
            }
        }
        if (lines.All(l => l.Committed))
        {
            reservation.Status = ReservationStatus.Committed;
            reservation.UpdatedAt = clock.GetUtcNow();
        }
    }

    /// <summary>
    /// Moves a warehouse's on-hand count by <paramref name="delta"/> (a count, a delivery, a loss). Returns
    /// false when that would leave fewer units than are reserved for orders, or below zero.
    /// </summary>
    public async Task<bool> AdjustAsync(string sku, string warehouse, int delta, string reason, string actor, CancellationToken ct)
    {
        var changed = await ChangeSkuAsync(sku, levels =>
        {
            var level = levels.SingleOrDefault(l => l.Warehouse == warehouse);
            var (onHand, reserved) = (level?.OnHand ?? 0, level?.Reserved ?? 0);
            return onHand + delta < reserved ? null : [new LevelChange(warehouse, delta, 0)];
        }, MovementKind.Adjustment, reason, actor, ct, createMissingLevel: warehouse);
        return changed is not null;
    }

    /// <summary>Creates the item (first time Inventory hears of the SKU), with an opening level in the main warehouse.</summary>
    public void AddItem(StockItem item, int openingStock, string actor)
    {
        db.Items.Add(item);
        db.Levels.Add(new StockLevel { Sku = item.Sku, Warehouse = Warehouse.Main, OnHand = openingStock });
        if (openingStock > 0)
        {
            db.Movements.Add(new StockMovement { Sku = item.Sku, MerchantId = item.MerchantId, Warehouse = Warehouse.Main, OnHandDelta = openingStock, Kind = MovementKind.Opening, Reference = "opening stock", Actor = actor, At = item.CreatedAt });
        }
        db.AddIntegrationEvent(new StockChanged(item.Sku, item.MerchantId, item.ProductId, openingStock, openingStock, item.Version, item.CreatedAt));
    }

    /// <summary>The first time Inventory hears of a SKU: an item with nothing in stock yet (a concurrent first change is harmless).</summary>
    public async Task<StockItem> EnsureItemAsync(SkuInfo info, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO stock_items (sku, merchant_id, product_id, version, low_stock_threshold, created_at, updated_at)
            VALUES ({info.Sku}, {info.MerchantId}, {info.ProductId}, 0, {options.Value.DefaultLowStockThreshold}, {now}, {now})
            ON CONFLICT (sku) DO NOTHING
            """, ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO stock_levels (sku, warehouse, on_hand, reserved) VALUES ({info.Sku}, {Warehouse.Main}, 0, 0) ON CONFLICT DO NOTHING", ct);
        return await db.Items.AsNoTracking().SingleAsync(i => i.Sku == info.Sku, ct);
    }

    /// <summary>
    /// Makes the SKU's owner the catalogue's: <paramref name="owner"/> is the catalogue's answer for the SKU a moment
    /// ago (null: no product has it). A SKU Inventory has not heard of is created when <paramref name="createMissing"/>
    /// and the catalogue knows it. Returns the item as it now is, or null when there is none.
    /// </summary>
    /// <remarks>
    /// An answer can be stale by the time it is applied: a consumer that asked before a SKU was reused must not hand
    /// it back to nobody after a read has given it to the new owner. So a change of owner asks the catalogue again
    /// while holding the item's row lock: changes of owner are applied one at a time, each with an answer given after
    /// the one before it committed, and the last to commit carries the newest answer.
    /// </remarks>
    public async Task<StockItem?> FollowOwnerAsync(string sku, SkuInfo? owner, bool createMissing, CatalogSkus catalog, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Sku == sku, ct);
        if (item is null)
        {
            return owner is not null && createMissing ? await EnsureItemAsync(owner, ct) : null;
        }
        var (asked, askedProduct) = OwnerOf(owner);
        if (item.IsOwnedBy(asked, askedProduct))
        {
            return item;
        }
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var locked = (await db.Items.FromSql($"SELECT * FROM stock_items WHERE sku = {sku} FOR UPDATE").ToListAsync(ct)).Single();
            var current = await catalog.FindAsync(sku, ct);
            var (merchant, product) = OwnerOf(current);
            if (!locked.IsOwnedBy(merchant, product))
            {
                await TransferAsync(locked, merchant, product, ct);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        });
        db.ChangeTracker.Clear();
        return await db.Items.AsNoTracking().SingleAsync(i => i.Sku == sku, ct);
    }

    /// <summary>The merchant and product the catalogue's answer makes the owner (none: nobody).</summary>
    private static (Guid Merchant, Guid? Product) OwnerOf(SkuInfo? owner) =>
        owner is null ? (StockItem.NoOwner, null) : (owner.MerchantId, owner.ProductId);

    /// <summary>
    /// Gives the locked <paramref name="item"/> to <paramref name="merchant"/> (and <paramref name="product"/>). The levels stay:
    /// they count what the warehouses hold under the SKU, and holds for the old owner's orders stay held until those
    /// orders ship or release. When the merchant changes, a Transfer pair moves the levels from the old owner's book
    /// to the new one's, so each merchant's rows add up to the levels of its own time. StockChanged tells the
    /// catalogue and search the new product.
    /// </summary>
    private async Task TransferAsync(StockItem item, Guid merchant, Guid? product, CancellationToken ct)
    {
        var sku = item.Sku;
        var now = clock.GetUtcNow();
        var previous = item.MerchantId;
        logger.LogInformation("The catalogue moved {Sku} from merchant {From} (product {FromProduct}) to merchant {To} (product {ToProduct})",
            sku, previous, item.ProductId, merchant, product);
        item.MerchantId = merchant;
        item.ProductId = product;
        item.Version++;
        item.UpdatedAt = now;
        var levels = await db.Levels.AsNoTracking().Where(l => l.Sku == sku).OrderBy(l => l.Warehouse).ToListAsync(ct);
        if (previous != merchant)
        {
            foreach (var level in levels.Where(l => l.OnHand != 0 || l.Reserved != 0))
            {
                db.Movements.Add(new StockMovement
                {
                    Sku = sku, MerchantId = previous, Warehouse = level.Warehouse, OnHandDelta = -level.OnHand, ReservedDelta = -level.Reserved,
                    Kind = MovementKind.Transfer, Reference = "the catalogue gave the SKU to another owner", Actor = "catalog", At = now,
                });
                db.Movements.Add(new StockMovement
                {
                    Sku = sku, MerchantId = merchant, Warehouse = level.Warehouse, OnHandDelta = level.OnHand, ReservedDelta = level.Reserved,
                    Kind = MovementKind.Transfer, Reference = "taken over with the SKU from its previous owner", Actor = "catalog", At = now,
                });
            }
        }
        db.AddIntegrationEvent(new StockChanged(sku, merchant, product, levels.Sum(l => l.Available), levels.Sum(l => l.OnHand), item.Version, now));
    }

    /// <summary>Keeps what an external system says of a SKU when it is newer than what we have; returns whether it was.</summary>
    public async Task<bool> RecordExternalLevelAsync(string system, ExternalLevel level, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.Database.ExecuteSqlAsync($"""
            INSERT INTO external_stock (system, sku, on_hand, version, updated_at, received_at)
            VALUES ({system}, {level.Sku}, {level.OnHand}, {level.Version}, {level.UpdatedAt}, {now})
            ON CONFLICT (system, sku) DO UPDATE
               SET on_hand = excluded.on_hand, version = excluded.version, updated_at = excluded.updated_at, received_at = excluded.received_at
             WHERE external_stock.version < excluded.version
            """, ct) == 1;
    }

    /// <summary>
    /// Brings our level in the system's warehouse to what the system counts there plus our changes it has
    /// not received yet (the stated rule: the system is the record of what is physically in its warehouse).
    /// Left alone while one of our changes is in flight — sent, unanswered, perhaps applied — since the
    /// system's count may or may not include it; the answer settles the SKU. Never below the units held for
    /// orders: a shortfall is reported instead.
    /// </summary>
    public async Task<Settlement> SettleExternalAsync(string system, string warehouse, string sku, MovementKind kind, string reference, string actor, CancellationToken ct)
    {
        if ((await db.Items.FromSql($"SELECT * FROM stock_items WHERE sku = {sku} FOR UPDATE").AsNoTracking().ToListAsync(ct)).Count == 0)
        {
            return new Settlement(SettleResult.UnknownSku, 0, 0, 0, 0);
        }
        var theirs = await db.ExternalStock.AsNoTracking().Where(x => x.System == system && x.Sku == sku).Select(x => (int?)x.OnHand).SingleOrDefaultAsync(ct);
        var open = await db.OutboundChanges.AsNoTracking().Where(o => o.System == system && o.Sku == sku && o.DeliveredAt == null)
            .Select(o => new { o.Attempts, o.Delta }).ToListAsync(ct);
        var pending = open.Sum(o => o.Delta);
        var level = await db.Levels.AsNoTracking().SingleOrDefaultAsync(l => l.Sku == sku && l.Warehouse == warehouse, ct);
        var (ours, reserved) = (level?.OnHand ?? 0, level?.Reserved ?? 0);
        if (theirs is not { } counted)
        {
            return new Settlement(SettleResult.Unchanged, ours, ours, 0, pending);
        }
        if (open.Any(o => o.Attempts > 0))
        {
            return new Settlement(SettleResult.InFlight, ours, ours, counted, pending);
        }
        var wanted = Math.Max(counted + pending, 0);
        var target = Math.Max(wanted, reserved);
        if (target == ours)
        {
            return new Settlement(target == wanted ? SettleResult.Unchanged : SettleResult.Short, ours, ours, counted, pending);
        }
        await ChangeSkuAsync(sku, _ => [new LevelChange(warehouse, target - ours, 0)], kind, reference, actor, ct, createMissingLevel: warehouse);
        return new Settlement(target == wanted ? SettleResult.Moved : SettleResult.Short, ours, target, counted, pending);
    }

    /// <summary>
    /// Locks the SKU (its item row, version + 1), lets <paramref name="decide"/> pick the level changes from
    /// the current levels, applies them with their ledger rows and stages StockChanged (and LowStock when
    /// availability falls to the threshold). Returns null, changing nothing worth keeping, when the SKU is
    /// unknown or <paramref name="decide"/> refuses; the caller rolls back.
    /// </summary>
    private async Task<IReadOnlyList<LevelChange>?> ChangeSkuAsync(
        string sku, Func<IReadOnlyList<StockLevel>, IReadOnlyList<LevelChange>?> decide,
        MovementKind kind, string reference, string actor, CancellationToken ct, string? createMissingLevel = null)
    {
        var now = clock.GetUtcNow();
        var item = (await db.Items.FromSql($"""
            UPDATE stock_items SET version = version + 1, updated_at = {now} WHERE sku = {sku}
            RETURNING sku, merchant_id, product_id, version, low_stock_threshold, created_at, updated_at
            """).AsNoTracking().ToListAsync(ct)).SingleOrDefault();
        if (item is null)
        {
            return null;
        }
        var levels = await db.Levels.AsNoTracking().Where(l => l.Sku == sku).ToListAsync(ct);
        var changes = decide(levels);
        if (changes is null)
        {
            return null;
        }
        if (createMissingLevel is not null && levels.All(l => l.Warehouse != createMissingLevel))
        {
            await db.Database.ExecuteSqlAsync($"INSERT INTO stock_levels (sku, warehouse, on_hand, reserved) VALUES ({sku}, {createMissingLevel}, 0, 0)", ct);
        }
        // Each warehouse's level moves once, by the sum of its changes (a batch of holds writes the hot row once).
        foreach (var w in changes.GroupBy(c => c.Warehouse, StringComparer.Ordinal))
        {
            var (onHandDelta, reservedDelta) = (w.Sum(c => c.OnHandDelta), w.Sum(c => c.ReservedDelta));
            await db.Database.ExecuteSqlAsync($"""
                UPDATE stock_levels SET on_hand = on_hand + {onHandDelta}, reserved = reserved + {reservedDelta}
                WHERE sku = {sku} AND warehouse = {w.Key}
                """, ct);
        }
        foreach (var c in changes)
        {
            db.Movements.Add(new StockMovement
            {
                Sku = sku, MerchantId = item.MerchantId, Warehouse = c.Warehouse, OnHandDelta = c.OnHandDelta, ReservedDelta = c.ReservedDelta,
                Kind = kind, Reference = c.Reference ?? reference, Actor = actor, At = now,
            });
            // Units shipped from, or counted into, a warehouse an external system keeps: that system must hear of it,
            // through its own outbox in this transaction (what it tells us back is not echoed to it).
            if (c.OnHandDelta != 0 && kind is MovementKind.Commit or MovementKind.Adjustment && external.SystemOf(c.Warehouse) is { } system)
            {
                db.OutboundChanges.Add(new OutboundChange
                {
                    System = system, Kind = kind == MovementKind.Commit ? OutboundKind.Commit : OutboundKind.Adjustment,
                    Sku = sku, Delta = c.OnHandDelta, Reference = reference, CreatedAt = now, NextAttemptAt = now,
                });
            }
        }
        var before = levels.Sum(l => l.Available);
        var after = before + changes.Sum(c => c.OnHandDelta - c.ReservedDelta);
        var onHand = levels.Sum(l => l.OnHand) + changes.Sum(c => c.OnHandDelta);
        db.AddIntegrationEvent(new StockChanged(sku, item.MerchantId, item.ProductId, after, onHand, item.Version, now));
        if (after <= item.LowStockThreshold && before > item.LowStockThreshold)
        {
            db.AddIntegrationEvent(new LowStock(sku, item.MerchantId, item.ProductId, after, item.LowStockThreshold, now));
        }
        return changes;
    }

    private async Task<Reservation?> LockReservationAsync(Guid orderId, CancellationToken ct) =>
        (await db.Reservations.FromSql($"SELECT * FROM reservations WHERE order_id = {orderId} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
}
