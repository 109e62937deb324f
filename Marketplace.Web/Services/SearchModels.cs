namespace Marketplace.Web.Services;

// Search results and their facets. The gateway's public API as the web app reads it (JSON with web defaults).

public sealed record FacetValue(string Value, long Count);

public sealed record PriceRange(decimal From, decimal? To, long Count);

public sealed record Facets(List<FacetValue> Categories, List<FacetValue> Brands, List<PriceRange> PriceRanges, long InStock)
{
    public static readonly Facets Empty = new([], [], [], 0);
}

public sealed record SearchHit(
    Guid ProductId, string Title, string Brand, string Category, decimal Price, string Currency, double Score,
    Dictionary<string, string>? Highlights, bool InStock);

public sealed record SearchResult(List<SearchHit> Hits, long Total, int Page, int PageSize, Facets Facets);
