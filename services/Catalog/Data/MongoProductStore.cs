using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace Marketplace.Catalog.Data;

/// <summary>
/// Products in MongoDB (containers mode). Each write carries its integration events inside the product's
/// document (see <see cref="MongoOutbox"/>), so the change and its events are one atomic single-document
/// write; <see cref="MongoOutboxRelay"/> publishes them. A deleted product stays, marked and invisible,
/// until its last event is out (its SKUs stay taken until then).
/// </summary>
public sealed class MongoProductStore(IMongoCollection<Product> products, OutboxSignal signal, TimeProvider clock) : IProductStore
{
    private readonly IMongoCollection<BsonDocument> _documents = products.Database.GetCollection<BsonDocument>(products.CollectionNamespace.CollectionName);

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
        await products.Find(Builders<Product>.Filter.Eq(p => p.Id, id) & MongoOutbox.NotDeleted<Product>()).FirstOrDefaultAsync(ct);

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
        var filter = MongoOutbox.NotDeleted<Product>();
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
        var filter = MongoOutbox.NotDeleted<Product>();
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
        Builders<Product>.Filter.Eq(p => p.Id, id) & Builders<Product>.Filter.Eq(p => p.Version, expectedVersion) & MongoOutbox.NotDeleted<Product>();

    private static FilterDefinition<BsonDocument> AsDocumentFilter(FilterDefinition<Product> filter) =>
        filter.Render(new RenderArgs<Product>(BsonSerializer.SerializerRegistry.GetSerializer<Product>(), BsonSerializer.SerializerRegistry));

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
        Builders<Product>.Filter.In("Variants.Sku", skus) & MongoOutbox.NotDeleted<Product>();

    public async Task<WriteResult> CreateAsync(Product product, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        try
        {
            await _documents.InsertOneAsync(MongoOutbox.Insert(product, Embed(events)), cancellationToken: ct);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey && e.WriteError.Message.Contains(SkuIndexName, StringComparison.Ordinal))
        {
            return new WriteResult(WriteOutcome.DuplicateSku, DuplicateSkuOf(e.WriteError.Message, product));
        }
        signal.Notify();
        return WriteResult.Done;
    }

    public async Task<WriteResult> ReplaceAsync(Product product, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        UpdateResult result;
        try
        {
            result = await _documents.UpdateOneAsync(AsDocumentFilter(BuildVersionFilter(product.Id, expectedVersion)), MongoOutbox.Replace(product, Embed(events)), cancellationToken: ct);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return new WriteResult(WriteOutcome.DuplicateSku, DuplicateSkuOf(e.WriteError.Message, product));
        }
        if (result.MatchedCount == 0)
        {
            return await GetAsync(product.Id, ct) is not null ? WriteResult.VersionConflict : WriteResult.NotFound;
        }
        signal.Notify();
        return WriteResult.Done;
    }

    public async Task<WriteResult> DeleteAsync(Guid id, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct)
    {
        var result = await _documents.UpdateOneAsync(AsDocumentFilter(BuildVersionFilter(id, expectedVersion)), MongoOutbox.Delete(expectedVersion + 1, Embed(events)), cancellationToken: ct);
        if (result.MatchedCount == 0)
        {
            return await GetAsync(id, ct) is not null ? WriteResult.VersionConflict : WriteResult.NotFound;
        }
        signal.Notify();
        return WriteResult.Done;
    }

    private List<EmbeddedEvent> Embed(IEnumerable<IIntegrationEvent> events) => [.. events.Select(e => EmbeddedEvent.From(e, clock))];

    private static string? DuplicateSkuOf(string message, Product product) =>
        product.Skus.FirstOrDefault(sku => message.Contains($"\"{sku}\"", StringComparison.Ordinal));

    /// <summary>Each event goes into the document of the product it names (every catalogue event names one).</summary>
    public async Task AddAsync(IReadOnlyCollection<Product> items, IReadOnlyCollection<IIntegrationEvent> integrationEvents, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }
        var byProduct = integrationEvents.ToLookup(ProductOf);
        await _documents.InsertManyAsync(items.Select(p => MongoOutbox.Insert(p, Embed(byProduct[p.Id]))), cancellationToken: ct);
        signal.Notify();
    }

    private static Guid ProductOf(IIntegrationEvent e) => e switch
    {
        ProductPublished p => p.Product.ProductId,
        ProductUpdated u => u.Product.ProductId,
        ProductUnpublished u => u.ProductId,
        ProductDeleted d => d.ProductId,
        _ => throw new ArgumentException($"{e.GetType().Name} names no product, so it has no document to travel in."),
    };
}
