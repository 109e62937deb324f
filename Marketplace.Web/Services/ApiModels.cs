namespace Marketplace.Web.Services;

// The Gateway's public API as the web app reads it (JSON with web defaults: camelCase, case-insensitive).

public sealed record Product(
    Guid Id, Guid MerchantId, string Title, string Description, string Brand, string Category, decimal Price, string Currency,
    List<string> ImageUrls, List<ProductVariant> Variants, List<ProductAttribute> Attributes, bool IsPublished, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ProductVariant(string Sku, Dictionary<string, string> Options, decimal? PriceOverride);

public sealed record ProductAttribute(string Name, string Type, string Value, string? Unit);

public sealed record ProductPage(List<Product> Items, long Total, int Page, int PageSize);

public sealed record VariantAvailability(string Sku, int Available, bool InStock);

public sealed record ProductAvailability(Guid ProductId, bool InStock, List<VariantAvailability> Variants);

public sealed record ProductRequest(
    Guid? MerchantId, string Title, string? Description, string Brand, string Category, decimal Price, string Currency,
    List<string> ImageUrls, List<VariantRequest> Variants, List<AttributeRequest> Attributes);

public sealed record VariantRequest(string Sku, Dictionary<string, string> Options, decimal? PriceOverride);

public sealed record AttributeRequest(string Name, string Type, string Value, string? Unit);

/// <summary>A product as read with the version (ETag) that a change must name in If-Match.</summary>
public sealed record VersionedProduct(Product Product, string ETag);

public sealed record FacetValue(string Value, long Count);

public sealed record PriceRange(decimal From, decimal? To, long Count);

public sealed record Facets(List<FacetValue> Categories, List<FacetValue> Brands, List<PriceRange> PriceRanges, long InStock)
{
    public static readonly Facets Empty = new([], [], [], 0);
}

public sealed record SearchHit(
    Guid ProductId, string Title, string Brand, string Category, decimal Price, string Currency, double Score,
    Dictionary<string, string>? Highlights, bool InStock);

public sealed record SearchResult(List<SearchHit> Hits, long Total, int Page, int PageSize, Facets Facets);

public sealed record CartLine(
    string Sku, Guid ProductId, Guid MerchantId, string Title, int Quantity, decimal UnitPrice, decimal UnitPriceWhenAdded,
    bool PriceChanged, bool OnSale, decimal LineTotal);

public sealed record Cart(string? GuestCartId, List<CartLine> Lines, decimal Subtotal, string Currency, int ItemCount, bool PricesCurrent)
{
    public static readonly Cart Empty = new(null, [], 0, "USD", 0, true);
}

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

public sealed record WarehouseLevel(string Warehouse, int OnHand, int Reserved, int Available);

public sealed record StockItem(
    string Sku, Guid MerchantId, Guid? ProductId, int OnHand, int Reserved, int Available, int LowStockThreshold, bool LowStock,
    long Version, List<WarehouseLevel> Warehouses, DateTimeOffset UpdatedAt);

public sealed record StockPage(List<StockItem> Items, long Total, int Page, int PageSize);

public sealed record Reconciliation(DateTimeOffset At, int Checked, int Drifted, int Fixed);

/// <summary>One external system's link to a warehouse, as <c>GET /api/inventory/sync</c> reports it.</summary>
public sealed record SyncStatus(
    string System, string Warehouse, string Breaker, DateTimeOffset? LastInboundAt, DateTimeOffset? LastOutboundAt,
    int PendingOutbound, DateTimeOffset? OldestPendingAt, double? LagSeconds, int Failures, string? LastError,
    Reconciliation? LastReconciliation);

public sealed record Notification(
    Guid Id, string Kind, string Title, string Body, Guid? OrderId, string? Sku, Guid? MerchantId, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record NotificationPage(List<Notification> Items, int Page, int PageSize, int TotalCount, int UnreadCount);

public sealed record EmailStatus(string ToAddress, string Status, int Attempts, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? LastError);

public sealed record NotificationLogEntry(
    Guid Id, string Kind, Guid? UserId, Guid? MerchantId, string Title, Guid? OrderId, string? Sku,
    DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, EmailStatus? Email);

public sealed record NotificationLogPage(List<NotificationLogEntry> Items, int Page, int PageSize, int TotalCount);

public sealed record Address(
    Guid Id, string? Label, string Recipient, string Line1, string? Line2, string City, string? Region, string PostalCode,
    string Country, string? Phone, bool IsDefaultShipping);

public sealed record Profile(Guid UserId, string Email, string DisplayName, List<Address> Addresses, Guid? DefaultShippingAddressId);

/// <summary>An order's status as it changes (the <c>order-status</c> events of the notification stream).</summary>
public sealed record OrderStatusChange(Guid OrderId, string Status, string? Reason, int Sequence);
