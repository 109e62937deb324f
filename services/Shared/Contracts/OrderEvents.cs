namespace Marketplace.Shared.Contracts;

// Ordering's facts about orders, for whoever needs to know (notifications, live views, the sellers' side later).

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
