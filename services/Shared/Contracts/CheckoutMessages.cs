namespace Marketplace.Shared.Contracts;

// The checkout saga. Ordering orchestrates: it sends commands (imperative names) to Inventory and
// Payment through its outbox and moves the order on their replies (past-tense names). Every message
// names the order it belongs to; handlers are idempotent per order, so a redelivered or late message
// changes nothing it should not.

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

// Ordering -> Payment

/// <param name="PaymentMethod">The provider's token for the shopper's card (never a card number).</param>
/// <param name="CaptureNow">
/// Charge: authorize and capture at once (one pass of Payment's processor, no CapturePayment round). The saga asks this
/// once the stock is held, so the only answer it waits for is <see cref="PaymentCaptured"/> or <see cref="PaymentDeclined"/>.
/// Without it the money is only held, for a later <see cref="CapturePayment"/>.
/// </param>
public sealed record AuthorizePayment(Guid OrderId, Guid BuyerId, decimal Amount, string Currency, string PaymentMethod, DateTimeOffset OccurredAt, bool CaptureNow = false) : IIntegrationEvent;

public sealed record CapturePayment(Guid OrderId, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>
/// Cancel the authorization (nothing was charged). Arriving first, it makes a later AuthorizePayment do nothing. For a
/// payment asked with <c>CaptureNow</c> the money may already be taken: it is then refunded.
/// </summary>
public sealed record VoidPayment(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>Give the money back: the whole capture, or the authorization voided if nothing was captured yet.</summary>
public sealed record RefundPayment(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

// Payment -> Ordering

public sealed record PaymentAuthorized(Guid OrderId, Guid PaymentId, decimal Amount, string Currency, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentDeclined(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentCaptured(Guid OrderId, decimal Amount, string Currency, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentVoided(Guid OrderId, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentRefunded(Guid OrderId, decimal Amount, string Currency, DateTimeOffset OccurredAt) : IIntegrationEvent;

// Ordering -> everyone (facts about orders)

public sealed record OrderLineSnapshot(string Sku, Guid ProductId, Guid MerchantId, string Title, int Quantity, decimal UnitPrice);

/// <summary>
/// A move of an order's status, for live views, when no other event announces it (<see cref="OrderConfirmed"/> and
/// <see cref="OrderCancelled"/> carry their own move). <paramref name="Sequence"/> counts the order's transitions,
/// so a view shows the highest it has seen.
/// </summary>
public sealed record OrderStatusChanged(
    Guid OrderId, Guid BuyerId, IReadOnlyList<Guid> MerchantIds, string From, string To, int Sequence, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>The order is paid for. <paramref name="Sequence"/> is its move to Confirmed, for live views (as in <see cref="OrderStatusChanged"/>).</summary>
public sealed record OrderConfirmed(Guid OrderId, Guid BuyerId, IReadOnlyList<OrderLineSnapshot> Lines, decimal Total, string Currency, int Sequence, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>The order gave up. <paramref name="Sequence"/> is its move to Cancelled, for live views (as in <see cref="OrderStatusChanged"/>).</summary>
public sealed record OrderCancelled(Guid OrderId, Guid BuyerId, IReadOnlyList<Guid> MerchantIds, string Reason, int Sequence, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <param name="FullyShipped">Whether every line of the order has now shipped.</param>
public sealed record OrderShipped(Guid OrderId, Guid BuyerId, Guid MerchantId, IReadOnlyList<string> Skus, string? TrackingNumber, bool FullyShipped, DateTimeOffset OccurredAt) : IIntegrationEvent;
