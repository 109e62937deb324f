using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;

namespace Marketplace.Catalog.Data;

public enum WriteOutcome
{
    Done,
    NotFound,
    /// <summary>The stored version is not the one the writer read (optimistic concurrency).</summary>
    VersionConflict,
    /// <summary>Another product already has one of the SKUs (SKUs are unique across the catalogue).</summary>
    DuplicateSku,
}

public sealed record WriteResult(WriteOutcome Outcome, string? Sku = null)
{
    public static readonly WriteResult Done = new(WriteOutcome.Done);
    public static readonly WriteResult NotFound = new(WriteOutcome.NotFound);
    public static readonly WriteResult VersionConflict = new(WriteOutcome.VersionConflict);
}

/// <summary>
/// The product document store. Two adapters: PostgreSQL jsonb (host mode) and MongoDB (containers
/// mode); <c>ProductStore:Provider</c> picks one. Every write names the version it expects and
/// stages its integration events, which reach the bus only if the write happened.
/// </summary>
public interface IProductStore
{
    Task<Product?> GetAsync(Guid id, CancellationToken ct);

    Task<ProductPage> ListAsync(ProductQuery query, CancellationToken ct);

    /// <summary>Products in id order after <paramref name="after"/>: for rebuilding a search index.</summary>
    Task<IReadOnlyList<Product>> ScanAsync(Guid? after, int limit, bool publishedOnly, CancellationToken ct);

    Task<long> CountAsync(CancellationToken ct);

    /// <summary>The products that own any of these SKUs (each product once), published or not.</summary>
    Task<IReadOnlyList<Product>> FindBySkusAsync(IReadOnlyCollection<string> skus, CancellationToken ct);

    Task<WriteResult> CreateAsync(Product product, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct);

    /// <summary>Replaces the product if it is still at <paramref name="expectedVersion"/>; the product carries its new version.</summary>
    Task<WriteResult> ReplaceAsync(Product product, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct);

    Task<WriteResult> DeleteAsync(Guid id, long expectedVersion, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct);

    /// <summary>Bulk insert for seeding: all or nothing.</summary>
    Task AddAsync(IReadOnlyCollection<Product> products, IReadOnlyCollection<IIntegrationEvent> events, CancellationToken ct);
}
