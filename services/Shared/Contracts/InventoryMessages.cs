namespace Marketplace.Shared.Contracts;

// The checkout saga. Ordering orchestrates: it sends commands (imperative names) to Inventory and
// Payment through its outbox and moves the order on their replies (past-tense names). Every message
// names the order it belongs to; handlers are idempotent per order, so a redelivered or late message
// changes nothing it should not.
//
// This file: the saga's messages with Inventory, and Inventory's facts about stock.

public sealed record StockLine(string Sku, int Quantity);

// Ordering -> Inventory

/// <summary>Hold these quantities for the order until <paramref name="HoldUntil"/>, all or nothing.</summary>
public sealed record ReserveStock(Guid OrderId, IReadOnlyList<StockLine> Lines, DateTimeOffset HoldUntil, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>The order is paid for: its hold no longer expires (it ends by commit or release).</summary>
public sealed record ConfirmReservation(Guid OrderId, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>Give the order's held stock back. Arriving before the reservation, it makes a later ReserveStock fail.</summary>
public sealed record ReleaseReservation(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>These SKUs of the order left the warehouse: held units become gone for good.</summary>
public sealed record CommitReservation(Guid OrderId, IReadOnlyList<string> Skus, DateTimeOffset OccurredAt) : IIntegrationEvent;

// Inventory -> Ordering

public sealed record StockReserved(Guid OrderId, DateTimeOffset HoldUntil, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <param name="Skus">The SKUs that could not be held (empty when the order was already released).</param>
public sealed record StockReservationFailed(Guid OrderId, string Reason, IReadOnlyList<string> Skus, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>An unconfirmed hold ran out and its stock went back on sale.</summary>
public sealed record ReservationExpired(Guid OrderId, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A confirmation came for a hold that was no longer there (it had expired or been released).</summary>
public sealed record ReservationConfirmationFailed(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

// Inventory -> everyone (facts)

/// <summary>
/// A SKU's stock changed. <paramref name="Version"/> grows by one with every change of that SKU, so a
/// consumer keeps the newest it has seen and ignores older ones.
/// </summary>
public sealed record StockChanged(string Sku, Guid MerchantId, Guid? ProductId, int Available, int OnHand, long Version, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A SKU's available stock fell to or below its merchant's threshold.</summary>
public sealed record LowStock(string Sku, Guid MerchantId, Guid? ProductId, int Available, int Threshold, DateTimeOffset OccurredAt) : IIntegrationEvent;
