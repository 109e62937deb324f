using Marketplace.Catalog.Domain;

namespace Marketplace.Catalog.Data;

/// <summary>
/// The product document store. Two adapters: PostgreSQL jsonb (host mode) and MongoDB (containers
/// mode); <c>ProductStore:Provider</c> picks one.
/// </summary>
public interface IProductStore
{
    Task<Product?> GetAsync(Guid id, CancellationToken ct);

    Task<ProductPage> ListAsync(ProductQuery query, CancellationToken ct);

    Task<long> CountAsync(CancellationToken ct);

    /// <summary>Inserts products and stages their integration events in Catalog's outbox.</summary>
    Task AddAsync(IReadOnlyCollection<Product> products, IReadOnlyCollection<object> integrationEvents, CancellationToken ct);
}
