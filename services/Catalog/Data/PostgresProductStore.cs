using System.Text.Json;
using Marketplace.Catalog.Domain;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Catalog.Data;

/// <summary>Products as jsonb documents in Catalog's PostgreSQL database; events commit with them.</summary>
public sealed class PostgresProductStore(CatalogDbContext db) : IProductStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Product?> GetAsync(Guid id, CancellationToken ct)
    {
        var row = await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        return row is null ? null : ToProduct(row);
    }

    public async Task<ProductPage> ListAsync(ProductQuery query, CancellationToken ct)
    {
        var rows = db.Products.AsNoTracking();
        if (query.PublishedOnly)
        {
            rows = rows.Where(p => p.IsPublished);
        }
        if (!string.IsNullOrWhiteSpace(query.Category))
        {
            var prefix = query.Category.TrimEnd('/') + "/";
            rows = rows.Where(p => p.Category == query.Category || p.Category.StartsWith(prefix));
        }
        if (query.MerchantId is { } merchantId)
        {
            rows = rows.Where(p => p.MerchantId == merchantId);
        }
        var total = await rows.LongCountAsync(ct);
        var page = await rows.OrderByDescending(p => p.UpdatedAt).ThenBy(p => p.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .ToListAsync(ct);
        return new ProductPage(page.Select(ToProduct).ToList(), total, query.Page, query.PageSize);
    }

    public Task<long> CountAsync(CancellationToken ct) => db.Products.LongCountAsync(ct);

    public async Task AddAsync(IReadOnlyCollection<Product> products, IReadOnlyCollection<object> integrationEvents, CancellationToken ct)
    {
        db.Products.AddRange(products.Select(ToRow));
        foreach (var integrationEvent in integrationEvents)
        {
            db.AddIntegrationEvent(integrationEvent);
        }
        await db.SaveChangesAsync(ct);
    }

    private static ProductRow ToRow(Product product) => new()
    {
        Id = product.Id,
        MerchantId = product.MerchantId,
        Category = product.Category,
        IsPublished = product.IsPublished,
        Version = product.Version,
        UpdatedAt = product.UpdatedAt,
        Document = JsonSerializer.Serialize(product, Json),
    };

    private static Product ToProduct(ProductRow row) =>
        JsonSerializer.Deserialize<Product>(row.Document, Json) ?? throw new InvalidOperationException($"Product {row.Id} has an empty document.");
}
