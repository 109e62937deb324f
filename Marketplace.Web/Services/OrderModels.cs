namespace Marketplace.Web.Services;

// Orders: the shopper's, the merchant's lines, the summary, and the live status. The gateway's public API as the web app reads it (JSON with web defaults).

public sealed record ShippingAddress(string Name, string Line1, string? Line2, string City, string PostalCode, string Country);

public sealed record OrderLine(
    string Sku, Guid ProductId, Guid MerchantId, string Title, int Quantity, decimal UnitPrice, decimal LineTotal,
    DateTimeOffset? ShippedAt, string? TrackingNumber);

public sealed record OrderTransition(int Sequence, string? From, string To, DateTimeOffset At, string Actor, string Reason);

public sealed record Order(
    Guid Id, Guid BuyerId, string Status, string Payment, decimal Total, string Currency, List<OrderLine> Lines,
    ShippingAddress ShippingAddress, string? CancelReason, int Sequence, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    List<OrderTransition>? History, DateTimeOffset? HoldUntil = null);

public sealed record OrderPage(List<Order> Items, long Total, int Page, int PageSize);

public sealed record PlaceOrderRequest(List<OrderLineRequest> Lines, ShippingAddress ShippingAddress, string PaymentMethod, decimal ExpectedTotal);

public sealed record OrderLineRequest(string Sku, int Quantity);

public sealed record MerchantOrder(
    Guid OrderId, string Status, DateTimeOffset CreatedAt, ShippingAddress ShippingAddress, List<OrderLine> Lines,
    decimal MerchantTotal, string Currency, bool CanShip);

public sealed record MerchantOrderPage(List<MerchantOrder> Items, long Total, int Page, int PageSize);

public sealed record OrderSummary(long Orders, Dictionary<string, long> ByStatus, long WaitingLongerThanAMinute, decimal ConfirmedRevenue);

/// <summary>An order's status as it changes (the <c>order-status</c> events of the notification stream).</summary>
public sealed record OrderStatusChange(Guid OrderId, string Status, string? Reason, int Sequence);
