namespace Marketplace.Search.Index;

/// <summary>What the index holds per product: the searchable fields and the version it reflects.</summary>
public sealed record SearchDocument(
    Guid ProductId,
    long Version,
    Guid MerchantId,
    string Title,
    string Description,
    string Brand,
    string Category,
    decimal Price,
    string Currency,
    bool Deleted = false,
    DateTimeOffset UpdatedAt = default,
    IReadOnlyList<string>? Skus = null,
    bool InStock = false)
{
    public static SearchDocument From(Marketplace.Shared.Contracts.ProductSnapshot p) =>
        new(p.ProductId, p.Version, p.MerchantId, p.Title, p.Description, p.Brand, p.Category, p.Price, p.Currency,
            UpdatedAt: p.UpdatedAt, Skus: [.. p.Variants.Select(v => v.Sku)]);

    /// <summary>The product's SKUs (never null): its stock is theirs together.</summary>
    public IReadOnlyList<string> SkuList => Skus ?? [];

    /// <summary>The category and each of its ancestors (<c>Electronics</c>, <c>Electronics/Phones</c>): what category filters and facets match.</summary>
    public IReadOnlyList<string> CategoryTree => CategoryPaths.AndAncestors(Category);

    /// <summary>What stays of a removed product: its version, so an older event that arrives late cannot bring it back.</summary>
    public static SearchDocument Tombstone(Guid productId, long version) =>
        new(productId, version, Guid.Empty, "", "", "", "", 0, "", Deleted: true);
}

/// <summary>
/// A SKU's stock as Inventory last announced it. <see cref="Version"/> grows with every change of that SKU;
/// a product is in stock when any of its SKUs has units available.
/// </summary>
public sealed record StockDocument(string Sku, Guid? ProductId, int Available, long Version);

public enum SearchSort { Relevance, PriceAscending, PriceDescending, Newest }

/// <param name="Category">A category path; its subcategories match too (<c>Electronics</c> finds phones).</param>
/// <param name="Fresh">Computed afresh, never answered from the index's memory of earlier answers (<c>Cache-Control: no-cache</c>).</param>
public sealed record SearchRequest(
    string? Query, int Page = 1, int PageSize = 24,
    string? Category = null, string? Brand = null, decimal? MinPrice = null, decimal? MaxPrice = null,
    SearchSort Sort = SearchSort.Relevance, bool InStockOnly = false, bool Fresh = false);

public static class CategoryPaths
{
    public static IReadOnlyList<string> AndAncestors(string category)
    {
        var parts = category.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts.Take(n)))];
    }
}

/// <summary>How many results have each value; computed over the filtered results.</summary>
public sealed record FacetValue(string Value, long Count);

/// <summary>A price bucket: from (inclusive) to (exclusive; null = no upper bound).</summary>
public sealed record PriceRange(decimal From, decimal? To, long Count);

/// <param name="InStock">How many of the results have stock (what <c>inStock=true</c> would leave).</param>
public sealed record Facets(IReadOnlyList<FacetValue> Categories, IReadOnlyList<FacetValue> Brands, IReadOnlyList<PriceRange> PriceRanges, long InStock)
{
    public static readonly decimal[] PriceBounds = [25m, 50m, 100m, 250m, 500m, 1000m];

    /// <summary>The bucket a price falls in: 0 below the first bound, PriceBounds.Length at or above the last.</summary>
    public static int Bucket(decimal price)
    {
        var i = 0;
        while (i < PriceBounds.Length && price >= PriceBounds[i])
        {
            i++;
        }
        return i;
    }

    public static IReadOnlyList<PriceRange> Ranges(long[] counts) =>
        [.. Enumerable.Range(0, PriceBounds.Length + 1)
            .Where(i => counts[i] > 0)
            .Select(i => new PriceRange(i == 0 ? 0 : PriceBounds[i - 1], i < PriceBounds.Length ? PriceBounds[i] : null, counts[i]))];
}

/// <param name="Highlights">
/// Per field (<c>title</c>, <c>description</c>), the best fragment with the matched words in
/// <c>&lt;mark&gt;</c>; the rest of the text is HTML-encoded, so it can be shown as is.
/// </param>
public sealed record SearchHit(Guid ProductId, string Title, string Brand, string Category, decimal Price, string Currency, double Score,
    IReadOnlyDictionary<string, string>? Highlights = null, bool InStock = false);

public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, long Total, int Page, int PageSize, Facets Facets);

/// <summary>
/// The search index port. Adapters: Lucene.Net on local disk (host mode) and Elasticsearch
/// (containers mode); <c>SearchIndex:Provider</c> picks one.
/// </summary>
public interface ISearchIndex
{
    /// <summary>
    /// Writes the document (or a tombstone, which no search returns) unless the index already holds the
    /// same or a newer version of that product.
    /// </summary>
    Task<bool> UpsertAsync(SearchDocument document, CancellationToken ct);

    /// <summary>
    /// Records a SKU's stock unless the index holds the same or a newer version of it, and updates whether
    /// its product is in stock. Stock may arrive before its product: it is kept and counted when the product comes.
    /// </summary>
    Task<bool> ApplyStockAsync(StockDocument stock, CancellationToken ct);

    Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct);

    Task<long> CountAsync(CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> distinct product titles completing what was typed so far.</summary>
    Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct);
}

/// <summary>How far a typed word may be from an indexed one and still match, by its length.</summary>
public static class TypoTolerance
{
    /// <summary>Short words must be exact (too many neighbours), 4–5 letters allow one edit, longer ones two.</summary>
    public static int MaxEdits(string term) => term.Length switch
    {
        <= 3 => 0,
        <= 5 => 1,
        _ => 2,
    };
}
