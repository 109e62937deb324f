namespace Marketplace.Inventory.Domain;

public sealed class Warehouse
{
    public const string Main = "main";
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
}

/// <summary>
/// A SKU Inventory keeps stock for, with the merchant that owns it. The catalogue decides the owner: when
/// a SKU moves to another product or merchant (a product deleted, its SKU reused) the item follows, and
/// while no product has the SKU its owner is <see cref="NoOwner"/>. Its row is locked by every change to
/// the SKU's stock, which orders those changes; <see cref="Version"/> counts them and orders the
/// StockChanged events they raise.
/// </summary>
public sealed class StockItem
{
    /// <summary>The owner of a SKU the catalogue no longer has: no merchant acts for it, admins still do.</summary>
    public static readonly Guid NoOwner = Guid.Empty;

    public string Sku { get; set; } = "";
    public Guid MerchantId { get; set; }
    public Guid? ProductId { get; set; }
    public long Version { get; set; }
    public int LowStockThreshold { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Whether the item belongs to <paramref name="merchant"/> under <paramref name="product"/> (nobody's: <see cref="NoOwner"/>, null).</summary>
    public bool IsOwnedBy(Guid merchant, Guid? product) => MerchantId == merchant && ProductId == product;
}

/// <summary>One SKU in one warehouse. Available = OnHand - Reserved; the database keeps it at zero or above.</summary>
public sealed class StockLevel
{
    public string Sku { get; set; } = "";
    public string Warehouse { get; set; } = "";
    public int OnHand { get; set; }
    public int Reserved { get; set; }
    public int Available => OnHand - Reserved;
}

public enum ReservationStatus
{
    /// <summary>Stock is held until HoldUntil, then released by the expiry job.</summary>
    Held,
    /// <summary>Paid for: held without expiry until shipped (committed) or released.</summary>
    Confirmed,
    /// <summary>Every line shipped: the units left the stock.</summary>
    Committed,
    Released,
    Expired,
    /// <summary>Not enough stock when asked; nothing was held.</summary>
    Failed,
}

/// <summary>The stock held for one order (its id is the order's): one per order, whatever arrives twice.</summary>
public sealed class Reservation
{
    public Guid OrderId { get; set; }
    public ReservationStatus Status { get; set; }
    public DateTimeOffset? HoldUntil { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool HoldsStock => Status is ReservationStatus.Held or ReservationStatus.Confirmed;
}

public sealed class ReservationLine
{
    public Guid OrderId { get; set; }
    public string Sku { get; set; } = "";
    public string Warehouse { get; set; } = "";
    public int Quantity { get; set; }
    public bool Committed { get; set; }
}

public enum MovementKind
{
    Opening,
    Adjustment,
    Reserve,
    Release,
    Expire,
    Commit,
    /// <summary>An external system told us its count of the units in its warehouse.</summary>
    Sync,
    /// <summary>Reconciliation found our level off the external system's count and moved it.</summary>
    Reconcile,
    /// <summary>
    /// The catalogue gave the SKU to another owner: a pair of rows, the levels leaving the old owner's book
    /// and entering the new one's (they cancel out, the levels do not move).
    /// </summary>
    Transfer,
}

/// <summary>
/// The append-only ledger: every change of a stock level is one row, so the sums of the deltas equal the
/// levels at all times (<c>GET /api/inventory/consistency</c> checks it). Each row names the merchant that
/// owned the SKU when it was written: a merchant reads only the rows of its own ownership.
/// </summary>
public sealed class StockMovement
{
    public long Id { get; set; }
    public string Sku { get; set; } = "";
    public Guid MerchantId { get; set; }
    public string Warehouse { get; set; } = "";
    public int OnHandDelta { get; set; }
    public int ReservedDelta { get; set; }
    public MovementKind Kind { get; set; }
    public string? Reference { get; set; }
    public string? Actor { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A one-time job that has finished (Development's opening stock), so a restart does not run it again.</summary>
public sealed class CompletedSeed
{
    public string Name { get; set; } = "";
    public DateTimeOffset CompletedAt { get; set; }
}
