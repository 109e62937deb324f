namespace Marketplace.Web.Services;

// Stock levels and the external warehouses' sync. The gateway's public API as the web app reads it (JSON with web defaults).

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
