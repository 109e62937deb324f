using Marketplace.Catalog.Data;
using Marketplace.Shared.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Catalog.Availability;

/// <summary>How many units of a SKU are on sale, as Inventory last told us (<see cref="Version"/> orders its news).</summary>
public sealed class SkuAvailabilityRow
{
    public string Sku { get; set; } = "";
    public Guid? ProductId { get; set; }
    public int Available { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Follows Inventory's stock changes. Idempotent without an inbox: the row keeps the newest version it
/// has seen and an upsert that is not newer matches nothing, so redeliveries and late events change nothing.
/// </summary>
public sealed class StockChangedConsumer(CatalogDbContext db) : IConsumer<StockChanged>
{
    public async Task Consume(ConsumeContext<StockChanged> context)
    {
        var m = context.Message;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sku_availability (sku, product_id, available, version, updated_at)
            VALUES ({m.Sku}, {m.ProductId}, {m.Available}, {m.Version}, {m.OccurredAt})
            ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id, available = excluded.available,
                version = excluded.version, updated_at = excluded.updated_at
            WHERE sku_availability.version < excluded.version
            """, context.CancellationToken);
    }
}

public sealed record VariantAvailability(string Sku, int Available, bool InStock);

/// <summary>A product's stock state for the storefront: in stock when any variant is.</summary>
public sealed record ProductAvailability(Guid ProductId, bool InStock, IReadOnlyList<VariantAvailability> Variants);

public static class AvailabilityQueries
{
    /// <summary>Per SKU, in the order asked; a SKU Inventory never told us about has nothing on sale.</summary>
    public static async Task<IReadOnlyList<VariantAvailability>> ForSkusAsync(this CatalogDbContext db, IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var known = await db.SkuAvailability.AsNoTracking().Where(a => skus.Contains(a.Sku)).ToDictionaryAsync(a => a.Sku, a => a.Available, ct);
        return [.. skus.Select(sku => known.TryGetValue(sku, out var n) ? new VariantAvailability(sku, n, n > 0) : new VariantAvailability(sku, 0, false))];
    }
}
