using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace Marketplace.Catalog.Data;

/// <summary>
/// Products in MongoDB (containers mode). Integration events go to Catalog's PostgreSQL outbox after
/// the documents are written.
/// </summary>
public sealed class MongoProductStore(IMongoCollection<Product> products, CatalogDbContext db) : IProductStore
{
    public const string CollectionName = "products";

    static MongoProductStore() => RegisterClassMaps();

    public static void RegisterClassMaps()
    {
        if (BsonClassMap.IsClassMapRegistered(typeof(Product)))
        {
            return;
        }
        BsonClassMap.RegisterClassMap<Product>(map =>
        {
            map.AutoMap();
            map.MapIdMember(p => p.Id).SetSerializer(new GuidSerializer(GuidRepresentation.Standard));
            map.MapMember(p => p.MerchantId).SetSerializer(new GuidSerializer(GuidRepresentation.Standard));
            map.MapMember(p => p.Price).SetSerializer(new DecimalSerializer(BsonType.Decimal128));
            map.SetIgnoreExtraElements(true);
        });
        BsonClassMap.RegisterClassMap<ProductAttribute>(map =>
        {
            map.AutoMap();
            map.SetIgnoreExtraElements(true);
        });
        BsonClassMap.RegisterClassMap<ProductVariant>(map =>
        {
            map.AutoMap();
            map.MapMember(v => v.PriceOverride).SetSerializer(new NullableSerializer<decimal>(new DecimalSerializer(BsonType.Decimal128)));
            map.SetIgnoreExtraElements(true);
        });
    }

    public async Task<Product?> GetAsync(Guid id, CancellationToken ct) =>
        await products.Find(p => p.Id == id).FirstOrDefaultAsync(ct);

    public async Task<ProductPage> ListAsync(ProductQuery query, CancellationToken ct)
    {
        var filter = BuildFilter(query);
        var total = await products.CountDocumentsAsync(filter, cancellationToken: ct);
        var items = await products.Find(filter)
            .SortByDescending(p => p.UpdatedAt).ThenBy(p => p.Id)
            .Skip((query.Page - 1) * query.PageSize).Limit(query.PageSize)
            .ToListAsync(ct);
        return new ProductPage(items, total, query.Page, query.PageSize);
    }

    public static FilterDefinition<Product> BuildFilter(ProductQuery query)
    {
        var f = Builders<Product>.Filter;
        var filter = f.Empty;
        if (query.PublishedOnly)
        {
            filter &= f.Eq(p => p.IsPublished, true);
        }
        if (!string.IsNullOrWhiteSpace(query.Category))
        {
            var escaped = System.Text.RegularExpressions.Regex.Escape(query.Category.TrimEnd('/'));
            filter &= f.Regex(p => p.Category, new BsonRegularExpression($"^{escaped}(/|$)"));
        }
        if (query.MerchantId is { } merchantId)
        {
            filter &= f.Eq(p => p.MerchantId, merchantId);
        }
        return filter;
    }

    public async Task<IReadOnlyList<Product>> ScanAsync(Guid? after, int limit, bool publishedOnly, CancellationToken ct) =>
        await products.Find(BuildScanFilter(after, publishedOnly)).SortBy(p => p.Id).Limit(limit).ToListAsync(ct);

    public static FilterDefinition<Product> BuildScanFilter(Guid? after, bool publishedOnly)
    {
        var f = Builders<Product>.Filter;
        var filter = f.Empty;
        if (after is { } last)
        {
            filter &= f.Gt(p => p.Id, last);
        }
        if (publishedOnly)
        {
            filter &= f.Eq(p => p.IsPublished, true);
        }
        return filter;
    }

    /// <summary>The version condition of every replace and delete: the document as the writer read it.</summary>
    public static FilterDefinition<Product> BuildVersionFilter(Guid id, long expectedVersion) =>
        Builders<Product>.Filter.Eq(p => p.Id, id) & Builders<Product>.Filter.Eq(p => p.Version, expectedVersion);

    /// <summary>SKUs are unique across the catalogue: a unique multikey index on the variants' SKUs.</summary>
    public static CreateIndexModel<Product> SkuIndex { get; } = new(
        Builders<Product>.IndexKeys.Ascending("Variants.Sku"),
        new CreateIndexOptions { Unique = true, Name = SkuIndexName, Sparse = true });

    public const string SkuIndexName = "ux_variants_sku";

    public Task<long> CountAsync(CancellationToken ct) => products.EstimatedDocumentCountAsync(cancellationToken: ct);

    public async Task<IReadOnlyList<Product>> FindBySkusAsync(IReadOnlyCollection<string> skus, CancellationToken ct) =>
        await products.Find(BuildSkuFilter(skus)).ToListAsync(ct);

    /// <summary>Products with a variant whose SKU is one of these (served by the unique SKU index).</summary>
    public static FilterDefinition<Product> BuildSkuFilter(IReadOnlyCollection<string> skus) =>
        Builders<Product>.Filter.In("Variants.Sku", skus);

    public async Task<WriteResult> CreateAsync(Product product, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        try
        {
            await products.InsertOneAsync(product, cancellationToken: ct);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey && e.WriteError.Message.Contains(SkuIndexName, StringComparison.Ordinal))
        {
            return new WriteResult(WriteOutcome.DuplicateSku, DuplicateSkuOf(e.WriteError.Message, product));
        }
        await StageAsync(events, ct);
        return WriteResult.Done;
    }

    public async Task<WriteResult> ReplaceAsync(Product product, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        ReplaceOneResult result;
        try
        {
            result = await products.ReplaceOneAsync(BuildVersionFilter(product.Id, expectedVersion), product, cancellationToken: ct);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return new WriteResult(WriteOutcome.DuplicateSku, DuplicateSkuOf(e.WriteError.Message, product));
        }
        if (result.MatchedCount == 0)
        {
            return await products.Find(p => p.Id == product.Id).AnyAsync(ct) ? WriteResult.VersionConflict : WriteResult.NotFound;
        }
        await StageAsync(events, ct);
        return WriteResult.Done;
    }

    public async Task<WriteResult> DeleteAsync(Guid id, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        var result = await products.DeleteOneAsync(BuildVersionFilter(id, expectedVersion), ct);
        if (result.DeletedCount == 0)
        {
            return await products.Find(p => p.Id == id).AnyAsync(ct) ? WriteResult.VersionConflict : WriteResult.NotFound;
        }
        await StageAsync(events, ct);
        return WriteResult.Done;
    }

    /// <summary>
    /// The events go to Catalog's PostgreSQL outbox once the document is written. A crash between the
    /// two loses the events of that one write (the search index heals on the next change or a rebuild);
    /// closing that window needs the outbox inside the MongoDB document, which waits for a server to test against.
    /// </summary>
    private async Task StageAsync(IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            db.AddIntegrationEvent(e);
        }
        await db.SaveChangesAsync(ct);
    }

    private static string? DuplicateSkuOf(string message, Product product) =>
        product.Skus.FirstOrDefault(sku => message.Contains($"\"{sku}\"", StringComparison.Ordinal));

    public async Task AddAsync(IReadOnlyCollection<Product> items, IReadOnlyCollection<IIntegrationEvent> integrationEvents, CancellationToken ct)
    {
        if (items.Count > 0)
        {
            await products.InsertManyAsync(items, cancellationToken: ct);
        }
        await StageAsync(integrationEvents, ct);
    }
}
