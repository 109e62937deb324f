using System.Text.Json;
using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Marketplace.Catalog.Data;

/// <summary>
/// Products as jsonb documents in Catalog's PostgreSQL database. Each write is one SaveChanges: the
/// document, its SKU claims and its outbox events commit together or not at all.
/// </summary>
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

    public async Task<IReadOnlyList<Product>> ScanAsync(Guid? after, int limit, bool publishedOnly, CancellationToken ct)
    {
        var rows = db.Products.AsNoTracking();
        if (after is { } last)
        {
            rows = rows.Where(p => p.Id.CompareTo(last) > 0);
        }
        if (publishedOnly)
        {
            rows = rows.Where(p => p.IsPublished);
        }
        return (await rows.OrderBy(p => p.Id).Take(limit).ToListAsync(ct)).Select(ToProduct).ToList();
    }

    public Task<long> CountAsync(CancellationToken ct) => db.Products.LongCountAsync(ct);

    public async Task<IReadOnlyList<Product>> FindBySkusAsync(IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var owners = db.Skus.Where(s => skus.Contains(s.Sku)).Select(s => s.ProductId);
        return (await db.Products.AsNoTracking().Where(p => owners.Contains(p.Id)).ToListAsync(ct)).Select(ToProduct).ToList();
    }

    public async Task<WriteResult> CreateAsync(Product product, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        if (await SkuTakenAsync(product, ct) is { } taken)
        {
            return new WriteResult(WriteOutcome.DuplicateSku, taken);
        }
        db.Products.Add(ToRow(product));
        db.Skus.AddRange(product.Skus.Select(sku => new ProductSkuRow { Sku = sku, ProductId = product.Id }));
        return await SaveAsync(product.Id, product, events, ct);
    }

    public async Task<WriteResult> ReplaceAsync(Product product, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        var (row, refusal) = await LoadAtVersionAsync(product.Id, expectedVersion, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        if (await SkuTakenAsync(product, ct) is { } taken)
        {
            return new WriteResult(WriteOutcome.DuplicateSku, taken);
        }
        // The row's version as read is the concurrency token: a writer that got in between makes this update match no row.
        db.Entry(row!).CurrentValues.SetValues(ToRow(product));
        var claimed = await db.Skus.Where(s => s.ProductId == product.Id).ToListAsync(ct);
        var wanted = product.Skus.ToHashSet(StringComparer.Ordinal);
        db.Skus.RemoveRange(claimed.Where(s => !wanted.Contains(s.Sku)));
        db.Skus.AddRange(wanted.Except(claimed.Select(s => s.Sku)).Select(sku => new ProductSkuRow { Sku = sku, ProductId = product.Id }));
        return await SaveAsync(product.Id, product, events, ct);
    }

    public async Task<WriteResult> DeleteAsync(Guid id, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        var (row, refusal) = await LoadAtVersionAsync(id, expectedVersion, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        // Its SKU claims go with it (cascade).
        db.Products.Remove(row!);
        return await SaveAsync(id, null, events, ct);
    }

    /// <summary>The stored row, tracked, if it exists and is still at the version the writer read.</summary>
    private async Task<(ProductRow? Row, WriteResult? Refusal)> LoadAtVersionAsync(Guid id, long expectedVersion, CancellationToken ct)
    {
        var row = await db.Products.SingleOrDefaultAsync(p => p.Id == id, ct);
        return row is null ? (null, WriteResult.NotFound)
            : row.Version != expectedVersion ? (null, WriteResult.VersionConflict)
            : (row, null);
    }

    public async Task AddAsync(IReadOnlyCollection<Product> products, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        db.Products.AddRange(products.Select(ToRow));
        db.Skus.AddRange(products.SelectMany(p => p.Skus.Select(sku => new ProductSkuRow { Sku = sku, ProductId = p.Id })));
        foreach (var integrationEvent in events)
        {
            db.AddIntegrationEvent(integrationEvent);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <param name="product">The product written (null for a delete), to name a SKU another product took meanwhile.</param>
    private async Task<WriteResult> SaveAsync(Guid id, Product? product, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            db.AddIntegrationEvent(e);
        }
        try
        {
            await db.SaveChangesAsync(ct);
            return WriteResult.Done;
        }
        catch (DbUpdateConcurrencyException)
        {
            return await ExistsAsync(id, ct) ? WriteResult.VersionConflict : WriteResult.NotFound;
        }
        catch (DbUpdateException e) when (product is not null && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "PK_product_skus" })
        {
            // A concurrent writer claimed one of the SKUs between the check and the commit.
            db.ChangeTracker.Clear();
            return new WriteResult(WriteOutcome.DuplicateSku, await SkuTakenAsync(product, ct));
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task<string?> SkuTakenAsync(Product product, CancellationToken ct)
    {
        var skus = product.Skus.ToList();
        return await db.Skus.AsNoTracking()
            .Where(s => skus.Contains(s.Sku) && s.ProductId != product.Id)
            .Select(s => s.Sku).FirstOrDefaultAsync(ct);
    }

    private Task<bool> ExistsAsync(Guid id, CancellationToken ct) => db.Products.AsNoTracking().AnyAsync(p => p.Id == id, ct);

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
