using System.Security.Claims;
using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.Stock;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Concurrency;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.Api;

public sealed record WarehouseLevelDto(string Warehouse, int OnHand, int Reserved, int Available);

public sealed record StockItemDto(
    string Sku, Guid MerchantId, Guid? ProductId, int OnHand, int Reserved, int Available, int LowStockThreshold, bool LowStock,
    long Version, IReadOnlyList<WarehouseLevelDto> Warehouses, DateTimeOffset UpdatedAt);

public sealed record StockPage(IReadOnlyList<StockItemDto> Items, long Total, int Page, int PageSize);

/// <param name="OnHand">The counted units in <paramref name="Warehouse"/> (default <c>main</c>); the change is recorded as an adjustment.</param>
public sealed record SetStockRequest(string? Warehouse, int? OnHand, int? LowStockThreshold, string? Reason);

public sealed record AdjustStockRequest(string? Warehouse, int Delta, string? Reason);

public sealed record MovementDto(long Id, string Warehouse, int OnHandDelta, int ReservedDelta, string Kind, string? Reference, string? Actor, DateTimeOffset At);

/// <param name="Reply">False when the caller takes the answer from the response and wants no StockReserved/StockReservationFailed event.</param>
public sealed record ReserveRequest(Guid OrderId, IReadOnlyList<StockLine>? Lines, int? HoldSeconds, bool? Reply = null);

/// <summary>
/// Stock over HTTP: merchants see and change their own SKUs, admins every merchant's. Who owns a SKU is
/// the catalogue's to say: every read or change of one SKU asks it, and the item follows when the SKU has
/// changed hands (a SKU Inventory has not heard of yet is created on its first change).
/// </summary>
public static class StockEndpoints
{
    public const int MaxUnits = 1_000_000;

    public static IEndpointRouteBuilder MapStockEndpoints(this IEndpointRouteBuilder app)
    {
        var stock = app.MapGroup("/api/inventory").WithTags("Inventory").RequireAuthorization(MarketplacePolicies.MerchantOrAdmin);
        stock.MapGet("/", ListStock);
        stock.MapGet("/warehouses", async (InventoryDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.Warehouses.AsNoTracking().OrderBy(w => w.Code).ToListAsync(ct)));
        stock.MapGet("/consistency", CheckConsistency).RequireAuthorization(MarketplacePolicies.Admin);
        stock.MapGet("/reservations/{orderId:guid}", GetReservation).RequireAuthorization(MarketplacePolicies.Admin);
        stock.MapGet("/{sku}", GetStock);
        stock.MapPut("/{sku}", SetStock);
        stock.MapPost("/{sku}/adjustments", AdjustStock);
        stock.MapGet("/{sku}/movements", ListMovements);

        // Holding stock without an order's saga (the warehouse desk, and tests of expiry): our services only.
        app.MapPost("/internal/inventory/reservations", Reserve).RequireAuthorization(MarketplacePolicies.Service).WithTags("Internal").AsForegroundWork();
        app.MapGet("/internal/inventory/reservations/{orderId:guid}", GetReservation).RequireAuthorization(MarketplacePolicies.Service).WithTags("Internal");
        // Every SKU's stock in SKU order, for rebuilding a search index.
        app.MapGet("/internal/inventory/stock", ScanStock).RequireAuthorization(MarketplacePolicies.Service).WithTags("Internal");
        return app;
    }

    private static async Task<IResult> ListStock(ClaimsPrincipal user, InventoryDbContext db, CancellationToken ct,
        Guid? merchantId = null, bool lowStockOnly = false, int page = 1, int pageSize = 50)
    {
        var errors = Paging.Validate(page, pageSize);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!user.IsAdmin())
        {
            if (merchantId is { } asked && asked != user.MerchantId())
            {
                return Refusals.NotYourMerchant();
            }
            merchantId = user.MerchantId();
        }
        var items = db.Items.AsNoTracking();
        if (merchantId is { } m)
        {
            items = items.Where(i => i.MerchantId == m);
        }
        var rows = from i in items
                   let onHand = db.Levels.Where(l => l.Sku == i.Sku).Sum(l => l.OnHand)
                   let reserved = db.Levels.Where(l => l.Sku == i.Sku).Sum(l => l.Reserved)
                   select new { Item = i, Available = onHand - reserved };
        if (lowStockOnly)
        {
            rows = rows.Where(r => r.Available <= r.Item.LowStockThreshold);
        }
        var total = await rows.LongCountAsync(ct);
        var skus = await rows.OrderBy(r => r.Available).ThenBy(r => r.Item.Sku).Skip((page - 1) * pageSize).Take(pageSize).Select(r => r.Item.Sku).ToListAsync(ct);
        var dtos = await LoadAsync(db, skus, ct);
        return TypedResults.Ok(new StockPage([.. skus.Select(s => dtos[s])], total, page, pageSize));
    }

    private static async Task<IResult> GetStock(string sku, HttpContext http, InventoryDbContext db, StockBook book, CatalogSkus catalog, CancellationToken ct)
    {
        if (await OwnedItemAsync(sku, http.User, book, catalog, createMissing: false, ct) is { Refusal: { } refused })
        {
            return refused;
        }
        var dto = (await LoadAsync(db, [sku], ct))[sku];
        http.Response.Headers.ETag = ETag(dto.Version);
        return TypedResults.Ok(dto);
    }

    private static async Task<IResult> SetStock(string sku, SetStockRequest request, HttpContext http, InventoryDbContext db, StockBook book, CatalogSkus catalog, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.OnHand is null && request.LowStockThreshold is null)
        {
            errors["onHand"] = ["Give onHand (the counted units), lowStockThreshold, or both."];
        }
        if (request.OnHand is < 0 or > MaxUnits)
        {
            errors["onHand"] = [$"onHand must be between 0 and {MaxUnits}."];
        }
        if (request.LowStockThreshold is < 0 or > MaxUnits)
        {
            errors["lowStockThreshold"] = [$"lowStockThreshold must be between 0 and {MaxUnits}."];
        }
        var (warehouse, reason) = await ValidateCommonAsync(sku, request.Warehouse, request.Reason, db, errors, ct);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return await ChangeAsync(sku, http, db, book, catalog, ct, async item =>
        {
            if (request.LowStockThreshold is { } threshold)
            {
                await db.Database.ExecuteSqlAsync($"UPDATE stock_items SET low_stock_threshold = {threshold} WHERE sku = {sku}", ct);
            }
            if (request.OnHand is not { } counted)
            {
                return null;
            }
            var current = await db.Levels.AsNoTracking().Where(l => l.Sku == sku && l.Warehouse == warehouse).Select(l => (int?)l.OnHand).SingleOrDefaultAsync(ct) ?? 0;
            return current == counted || await book.AdjustAsync(sku, warehouse, counted - current, reason ?? "stock count", Actor(http.User), ct)
                ? null
                : Refusals.BelowReserved(sku, warehouse);
        });
    }

    private static async Task<IResult> AdjustStock(string sku, AdjustStockRequest request, HttpContext http, InventoryDbContext db, StockBook book, CatalogSkus catalog, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Delta == 0 || Math.Abs((long)request.Delta) > MaxUnits)
        {
            errors["delta"] = [$"delta must be a non-zero number of units between -{MaxUnits} and {MaxUnits}."];
        }
        var (warehouse, reason) = await ValidateCommonAsync(sku, request.Warehouse, request.Reason, db, errors, ct);
        if (string.IsNullOrWhiteSpace(reason))
        {
            errors["reason"] = ["Say why the stock changes (a delivery, a loss, a count)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return await ChangeAsync(sku, http, db, book, catalog, ct, async _ =>
            await book.AdjustAsync(sku, warehouse, request.Delta, reason!, Actor(http.User), ct) ? null : Refusals.BelowReserved(sku, warehouse));
    }

    /// <summary>
    /// Runs a change in one transaction: the item is created from the catalogue if new (its owner following
    /// the catalogue's), ownership and If-Match are checked, <paramref name="change"/> runs (returning a refusal, or null when done), and the
    /// stock as it now is comes back with its ETag.
    /// </summary>
    private static async Task<IResult> ChangeAsync(string sku, HttpContext http, InventoryDbContext db, StockBook book, CatalogSkus catalog, CancellationToken ct,
        Func<StockItem, Task<IResult?>> change)
    {
        if (await OwnedItemAsync(sku, http.User, book, catalog, createMissing: true, ct) is { Refusal: { } refused })
        {
            return refused;
        }
        var strategy = db.Database.CreateExecutionStrategy();
        var refusal = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var locked = (await db.Items.FromSql($"SELECT * FROM stock_items WHERE sku = {sku} FOR UPDATE").AsNoTracking().ToListAsync(ct)).Single();
            if (!http.User.ActsFor(locked.MerchantId))
            {
                return Refusals.UnknownSku(sku); // the SKU changed hands since it was checked
            }
            if (http.Request.Headers.IfMatch.Count > 0 && !http.Request.Headers.IfMatch.Any(v => v == ETag(locked.Version) || v == "*"))
            {
                return Refusals.Stale(locked.Version);
            }
            if (await change(locked) is { } refused)
            {
                return refused;
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return null;
        });
        if (refusal is not null)
        {
            return refusal;
        }
        var dto = (await LoadAsync(db, [sku], ct))[sku];
        http.Response.Headers.ETag = ETag(dto.Version);
        return TypedResults.Ok(dto);
    }

    /// <summary>
    /// The SKU's item with its owner made the catalogue's as it is now (ownership follows the catalogue: a SKU whose
    /// product was deleted, or reused by another merchant, changes hands here), and whether the caller acts for it.
    /// </summary>
    private static async Task<(StockItem? Item, IResult? Refusal)> OwnedItemAsync(
        string sku, ClaimsPrincipal user, StockBook book, CatalogSkus catalog, bool createMissing, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(sku) || sku.Length > 64)
        {
            return (null, Refusals.UnknownSku(sku));
        }
        StockItem? item;
        try
        {
            var owner = await catalog.FindAsync(sku, ct);
            // Nobody creates stock for a SKU on another merchant's behalf.
            var create = createMissing && owner is not null && user.ActsFor(owner.MerchantId);
            item = await book.FollowOwnerAsync(sku, owner, create, catalog, ct);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            return (null, Refusals.CatalogUnavailable());
        }
        return item is not null && user.ActsFor(item.MerchantId) ? (item, null) : (null, Refusals.UnknownSku(sku));
    }

    private static async Task<(string Warehouse, string? Reason)> ValidateCommonAsync(
        string sku, string? warehouse, string? reason, InventoryDbContext db, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (sku.Length > 64)
        {
            errors["sku"] = ["A SKU has at most 64 characters."];
        }
        warehouse = string.IsNullOrWhiteSpace(warehouse) ? Warehouse.Main : warehouse.Trim();
        if (!await db.Warehouses.AnyAsync(w => w.Code == warehouse, ct))
        {
            errors["warehouse"] = [$"There is no warehouse '{warehouse}'."];
        }
        reason = reason?.Trim();
        if (reason is { Length: > 200 })
        {
            errors["reason"] = ["reason has at most 200 characters."];
        }
        return (warehouse, reason);
    }

    /// <summary>
    /// The SKU's ledger, newest first. A merchant reads the rows written while it owned the SKU (each row names
    /// its owner then), never those of an owner before or after it; admins read every row.
    /// </summary>
    private static async Task<IResult> ListMovements(string sku, ClaimsPrincipal user, InventoryDbContext db, StockBook book, CatalogSkus catalog, CancellationToken ct,
        int page = 1, int pageSize = 50)
    {
        var errors = Paging.Validate(page, pageSize);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await OwnedItemAsync(sku, user, book, catalog, createMissing: false, ct) is { Refusal: { } refused })
        {
            return refused;
        }
        var rows = db.Movements.AsNoTracking().Where(m => m.Sku == sku);
        if (!user.IsAdmin())
        {
            var merchant = user.MerchantId();
            rows = rows.Where(m => m.MerchantId == merchant);
        }
        var movements = await rows.OrderByDescending(m => m.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(m => new MovementDto(m.Id, m.Warehouse, m.OnHandDelta, m.ReservedDelta, m.Kind.ToString(), m.Reference, m.Actor, m.At))
            .ToListAsync(ct);
        return TypedResults.Ok(movements);
    }

    public sealed record LedgerMismatch(string Sku, string Warehouse, int OnHand, int Reserved, long LedgerOnHand, long LedgerReserved, long HeldByReservations);

    public sealed record ConsistencyReport(long Levels, long Movements, IReadOnlyList<LedgerMismatch> Mismatches);

    /// <summary>
    /// Every level against the ledger (the sums of its movements) and against the reservations holding it:
    /// any difference is a bug, listed here.
    /// </summary>
    private static async Task<IResult> CheckConsistency(InventoryDbContext db, CancellationToken ct)
    {
        var mismatches = await db.Database.SqlQuery<LedgerMismatch>($"""
            SELECT l.sku AS "Sku", l.warehouse AS "Warehouse", l.on_hand AS "OnHand", l.reserved AS "Reserved",
                   coalesce(m.on_hand, 0) AS "LedgerOnHand", coalesce(m.reserved, 0) AS "LedgerReserved", coalesce(h.held, 0) AS "HeldByReservations"
            FROM stock_levels l
            LEFT JOIN (SELECT sku, warehouse, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved FROM stock_movements GROUP BY sku, warehouse) m
                   ON m.sku = l.sku AND m.warehouse = l.warehouse
            LEFT JOIN (SELECT rl.sku, rl.warehouse, sum(rl.quantity) AS held FROM reservation_lines rl
                       JOIN reservations r ON r.order_id = rl.order_id
                       WHERE r.status IN ('Held', 'Confirmed') AND NOT rl.committed GROUP BY rl.sku, rl.warehouse) h
                   ON h.sku = l.sku AND h.warehouse = l.warehouse
            WHERE l.on_hand <> coalesce(m.on_hand, 0) OR l.reserved <> coalesce(m.reserved, 0) OR l.reserved <> coalesce(h.held, 0)
            ORDER BY l.sku, l.warehouse
            LIMIT 1000
            """).ToListAsync(ct);
        return TypedResults.Ok(new ConsistencyReport(await db.Levels.LongCountAsync(ct), await db.Movements.LongCountAsync(ct), mismatches));
    }

    public sealed record ReservationDto(Guid OrderId, string Status, DateTimeOffset? HoldUntil, string? Reason, IReadOnlyList<ReservationLineDto> Lines);

    public sealed record ReservationLineDto(string Sku, string Warehouse, int Quantity, bool Committed);

    private static async Task<IResult> GetReservation(Guid orderId, InventoryDbContext db, CancellationToken ct)
    {
        var r = await db.Reservations.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == orderId, ct);
        if (r is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Reservation not found", detail: $"No stock was ever asked for order {orderId}.");
        }
        var lines = await db.ReservationLines.AsNoTracking().Where(l => l.OrderId == orderId).OrderBy(l => l.Sku)
            .Select(l => new ReservationLineDto(l.Sku, l.Warehouse, l.Quantity, l.Committed)).ToListAsync(ct);
        return TypedResults.Ok(new ReservationDto(r.OrderId, r.Status.ToString(), r.HoldUntil, r.Reason, lines));
    }

    private static async Task<IResult> Reserve(ReserveRequest request, InventoryDbContext db, StockBook book, HoldLanes lanes, Microsoft.Extensions.Options.IOptions<InventoryOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.OrderId == Guid.Empty)
        {
            errors["orderId"] = ["orderId is required."];
        }
        if (request.Lines is not { Count: > 0 and <= 100 } || request.Lines.Any(l => string.IsNullOrWhiteSpace(l.Sku) || l.Sku.Length > 64 || l.Quantity is < 1 or > MaxUnits))
        {
            errors["lines"] = ["Give 1 to 100 lines, each a SKU (at most 64 characters) and a quantity of at least 1."];
        }
        var hold = request.HoldSeconds is { } s ? TimeSpan.FromSeconds(s) : options.Value.DefaultHold;
        if (hold <= TimeSpan.Zero || hold > options.Value.MaxHold)
        {
            errors["holdSeconds"] = [$"holdSeconds must be between 1 and {options.Value.MaxHold.TotalSeconds}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (until, actor, reply) = (clock.GetUtcNow() + hold, request.Reply == false ? "ordering" : "internal", request.Reply != false);
        if (request.Lines!.Select(l => l.Sku).Distinct(StringComparer.Ordinal).ToList() is [var sku])
        {
            // One SKU (a flash sale's every order): queued in the SKU's lane and granted with the others waiting.
            return TypedResults.Ok(await lanes.HoldAsync(sku, new HoldRequest(request.OrderId, request.Lines!.Sum(l => l.Quantity), until, actor, reply), ct));
        }
        var strategy = db.Database.CreateExecutionStrategy();
        var outcome = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await book.ReserveAsync(request.OrderId, request.Lines!, until, actor, ct, reply);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return result;
        });
        return TypedResults.Ok(outcome);
    }

    public sealed record StockScanItem(string Sku, Guid? ProductId, int Available, long Version);

    private static async Task<IResult> ScanStock(InventoryDbContext db, CancellationToken ct, string? after = null, int limit = 500)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 1000."] });
        }
        var items = await db.Items.AsNoTracking()
            .Where(i => after == null || string.Compare(i.Sku, after) > 0)
            .OrderBy(i => i.Sku).Take(limit)
            .Select(i => new StockScanItem(i.Sku, i.ProductId, db.Levels.Where(l => l.Sku == i.Sku).Sum(l => l.OnHand - l.Reserved), i.Version))
            .ToListAsync(ct);
        return TypedResults.Ok(new { items, next = items.Count == limit ? items[^1].Sku : null });
    }

    /// <summary>The stock of these SKUs as it is now, with each warehouse.</summary>
    private static async Task<Dictionary<string, StockItemDto>> LoadAsync(InventoryDbContext db, IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var items = await db.Items.AsNoTracking().Where(i => skus.Contains(i.Sku)).ToListAsync(ct);
        var levels = (await db.Levels.AsNoTracking().Where(l => skus.Contains(l.Sku)).ToListAsync(ct)).ToLookup(l => l.Sku);
        return items.ToDictionary(i => i.Sku, i =>
        {
            var own = levels[i.Sku].OrderBy(l => l.Warehouse, StringComparer.Ordinal).ToList();
            var (onHand, reserved) = (own.Sum(l => l.OnHand), own.Sum(l => l.Reserved));
            return new StockItemDto(i.Sku, i.MerchantId, i.ProductId, onHand, reserved, onHand - reserved, i.LowStockThreshold,
                onHand - reserved <= i.LowStockThreshold, i.Version,
                [.. own.Select(l => new WarehouseLevelDto(l.Warehouse, l.OnHand, l.Reserved, l.Available))], i.UpdatedAt);
        }, StringComparer.Ordinal);
    }

    private static string ETag(long version) => $"\"{version}\"";

    private static string Actor(ClaimsPrincipal user) => user.FindFirstValue("email") ?? user.FindFirstValue("sub") ?? "unknown";
}

public static class Paging
{
    public static Dictionary<string, string[]> Validate(int page, int pageSize, int maxPageSize = 100)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > 10_000)
        {
            errors["page"] = ["page must be between 1 and 10000."];
        }
        if (pageSize < 1 || pageSize > maxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {maxPageSize}."];
        }
        return errors;
    }
}

internal static class Refusals
{
    public static IResult UnknownSku(string sku) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "SKU not found",
        detail: $"No SKU you manage is called '{sku}'. Stock is kept for SKUs of the catalogue, by the merchant that sells them.");

    public static IResult NotYourMerchant() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your merchant",
        detail: "A merchant sees only its own stock.");

    public static IResult BelowReserved(string sku, string warehouse) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Stock is reserved",
        detail: $"That would leave {sku} in {warehouse} with fewer units than are held for orders (or below zero). Release or ship those orders first.");

    public static IResult CatalogUnavailable() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Catalogue unavailable",
        detail: "Who owns a SKU is the catalogue's to say, and it could not be asked. Try again in a moment.");

    public static IResult Stale(long version) => TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The stock changed since you read it",
        detail: $"The stock is now at version {version}. Read it again and send its new ETag.");
}
