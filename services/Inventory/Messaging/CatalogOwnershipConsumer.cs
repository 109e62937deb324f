using Marketplace.Inventory.Data;
using Marketplace.Inventory.Stock;
using Marketplace.Shared.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.Messaging;

/// <summary>
/// Keeps the owners of the SKUs Inventory stocks in step with the catalogue between reads, so merchants' stock
/// lists and low-stock notices follow a product deleted or a SKU reused. An event is only a signal: the owner
/// is asked of the catalogue as it is now, so a late or repeated event cannot hand a SKU back to an old owner,
/// and handling it twice changes nothing.
/// </summary>
public sealed class CatalogOwnershipConsumer(InventoryDbContext db, StockBook book, CatalogSkus catalog) :
    IConsumer<ProductPublished>, IConsumer<ProductUpdated>, IConsumer<ProductDeleted>
{
    public Task Consume(ConsumeContext<ProductPublished> context) =>
        FollowAsync(context.Message.Product.ProductId, [.. context.Message.Product.Variants.Select(v => v.Sku)], context.CancellationToken);

    public Task Consume(ConsumeContext<ProductUpdated> context) =>
        FollowAsync(context.Message.Product.ProductId, [.. context.Message.Product.Variants.Select(v => v.Sku)], context.CancellationToken);

    public Task Consume(ConsumeContext<ProductDeleted> context) =>
        FollowAsync(context.Message.ProductId, context.Message.Skus, context.CancellationToken);

    /// <summary>The event's SKUs and those we hold under its product (a variant dropped), each given the catalogue's owner.</summary>
    private async Task FollowAsync(Guid productId, IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var named = skus.ToList();
        var held = await db.Items.AsNoTracking()
            .Where(i => named.Contains(i.Sku) || i.ProductId == productId)
            .Select(i => i.Sku).ToListAsync(ct);
        foreach (var chunk in held.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var owners = await catalog.FindManyAsync(chunk, ct);
            foreach (var sku in chunk)
            {
                await book.FollowOwnerAsync(sku, owners.GetValueOrDefault(sku), createMissing: false, catalog, ct);
            }
        }
    }
}
