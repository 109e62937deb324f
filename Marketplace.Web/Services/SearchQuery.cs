using System.Globalization;

namespace Marketplace.Web.Services;

/// <summary>
/// What the results page shows: the words, the filters, the order and the page. It lives in the page's URL
/// (<see cref="ToUrl"/>), so a search can be bookmarked, shared and navigated back to.
/// </summary>
public sealed record SearchQuery(
    string? Q = null, string? Category = null, string? Brand = null, decimal? MinPrice = null, decimal? MaxPrice = null,
    bool InStock = false, string Sort = SearchQuery.Relevance, int Page = 1)
{
    public const string Relevance = "relevance";
    public const string PriceAscending = "price-asc";
    public const string PriceDescending = "price-desc";
    public const string Newest = "newest";

    public static readonly IReadOnlyList<(string Value, string Label)> Sorts =
        [(Relevance, "Best match"), (PriceAscending, "Price: low to high"), (PriceDescending, "Price: high to low"), (Newest, "Newest")];

    /// <summary>The API pages this deep at most (page × pageSize ≤ 10,000).</summary>
    public const int MaxResults = 10_000;

    public bool HasFilters => Category is not null || Brand is not null || MinPrice is not null || MaxPrice is not null || InStock;

    /// <summary>Any change of what is shown starts again at the first page.</summary>
    public SearchQuery With(Func<SearchQuery, SearchQuery> change) => change(this) with { Page = 1 };

    public SearchQuery ClearFilters() => this with { Category = null, Brand = null, MinPrice = null, MaxPrice = null, InStock = false, Page = 1 };

    /// <summary>The results page's address (defaults left out): <c>search?q=hedphones&amp;brand=Acme&amp;sort=price-asc</c>.</summary>
    public string ToUrl()
    {
        var query = Parameters(includeDefaults: false);
        return query.Length == 0 ? "search" : "search?" + query;
    }

    public string ToApiQuery(int pageSize) => Parameters(includeDefaults: true) + $"&pageSize={pageSize}";

    private string Parameters(bool includeDefaults) => GatewayClient.Query(
        ("q", Q?.Trim()), ("category", Category), ("brand", Brand), ("minPrice", MinPrice), ("maxPrice", MaxPrice),
        ("inStock", InStock ? "true" : null),
        ("sort", includeDefaults || Sort != Relevance ? Sort : null),
        ("page", includeDefaults || Page != 1 ? (object?)Page : null));

    /// <summary>Reads the page's query parameters, dropping what the API would refuse instead of failing.</summary>
    public static SearchQuery From(string? q, string? category, string? brand, string? minPrice, string? maxPrice, string? inStock, string? sort, string? page)
    {
        static decimal? Price(string? text) =>
            decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;
        var min = Price(minPrice);
        var max = Price(maxPrice);
        if (min > max)
        {
            (min, max) = (max, min);
        }
        return new SearchQuery(
            Q: Trimmed(q, 200),
            Category: Trimmed(category, 300),
            Brand: Trimmed(brand, 100),
            MinPrice: min,
            MaxPrice: max,
            InStock: string.Equals(inStock, "true", StringComparison.OrdinalIgnoreCase),
            Sort: Sorts.Any(s => s.Value == sort) ? sort! : Relevance,
            Page: int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 1000 ? p : 1);
    }

    private static string? Trimmed(string? text, int max) => string.IsNullOrWhiteSpace(text) || text.Trim().Length > max ? null : text.Trim();
}
