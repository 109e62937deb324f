using Marketplace.Catalog.Domain;
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

    public Task<long> CountAsync(CancellationToken ct) => products.EstimatedDocumentCountAsync(cancellationToken: ct);

    public async Task AddAsync(IReadOnlyCollection<Product> items, IReadOnlyCollection<object> integrationEvents, CancellationToken ct)
    {
        if (items.Count > 0)
        {
            await products.InsertManyAsync(items, cancellationToken: ct);
        }
        foreach (var integrationEvent in integrationEvents)
        {
            db.AddIntegrationEvent(integrationEvent);
        }
        await db.SaveChangesAsync(ct);
    }
}
