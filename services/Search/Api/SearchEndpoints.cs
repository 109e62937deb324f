using Marketplace.Search.Index;
using Marketplace.Search.Rebuild;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Marketplace.Search.Api;

public static class SearchEndpoints
{
    public const int MaxPageSize = 100;

    /// <summary>How deep paging goes (Elasticsearch's default result window).</summary>
    public const int MaxDepth = 10_000;

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/search", Search).WithTags("Search");
        app.MapGet("/api/search/suggest", Suggest).WithTags("Search");
        // Admins refill the index from the catalogue (it runs in the background; GET shows how far it got).
        app.MapPost("/api/search/rebuild", (IndexRebuilder rebuilder, IHostApplicationLifetime lifetime) =>
                TypedResults.Accepted("/api/search/rebuild", rebuilder.Start("an admin asked", lifetime.ApplicationStopping)))
            .RequireAuthorization(MarketplacePolicies.Admin).WithTags("Search");
        app.MapGet("/api/search/rebuild", (IndexRebuilder rebuilder) => TypedResults.Ok(rebuilder.Status))
            .RequireAuthorization(MarketplacePolicies.Admin).WithTags("Search");
        return app;
    }

    private static readonly Dictionary<string, SearchSort> Sorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["relevance"] = SearchSort.Relevance, ["price-asc"] = SearchSort.PriceAscending,
        ["price-desc"] = SearchSort.PriceDescending, ["newest"] = SearchSort.Newest,
    };

    private static async Task<Results<Ok<SearchResult>, ValidationProblem>> Search(
        ISearchIndex index, HttpRequest http, CancellationToken ct, string? q = null, int page = 1, int pageSize = 24,
        string? category = null, string? brand = null, decimal? minPrice = null, decimal? maxPrice = null, string? sort = null, bool inStock = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (category is { Length: > 300 })
        {
            errors["category"] = ["category must be at most 300 characters."];
        }
        if (brand is { Length: > 100 })
        {
            errors["brand"] = ["brand must be at most 100 characters."];
        }
        if (minPrice < 0 || maxPrice < 0 || minPrice > maxPrice)
        {
            errors["minPrice"] = ["minPrice and maxPrice must be 0 or more, minPrice no more than maxPrice."];
        }
        var order = SearchSort.Relevance;
        if (sort is not null && !Sorts.TryGetValue(sort, out order))
        {
            errors["sort"] = [$"sort is one of {string.Join(", ", Sorts.Keys)}."];
        }
        if (q is { Length: > 200 })
        {
            errors["q"] = ["q must be at most 200 characters."];
        }
        if (page is < 1 or > 1000)
        {
            errors["page"] = ["page must be between 1 and 1000."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        }
        else if (page * pageSize > MaxDepth)
        {
            errors["page"] = [$"Results go {MaxDepth} deep: page × pageSize must be at most {MaxDepth}. Narrow the search instead."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await index.SearchAsync(new SearchRequest(q, page, pageSize, category, brand, minPrice, maxPrice, order, inStock,
            Fresh: MayAskFresh(http.HttpContext.User) && http.Headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase)), ct));
    }

    /// <summary>
    /// <c>Cache-Control: no-cache</c> (compute the answer afresh) is honoured for signed-in admins and merchants only:
    /// from anyone else it is ignored, so anonymous callers cannot make every search pay in full. Nobody needs it for
    /// freshness: a remembered answer is never older than the index it was computed from.
    /// </summary>
    public static bool MayAskFresh(System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && (user.IsAdmin() || user.MerchantId() is not null);

    private static async Task<Results<Ok<IReadOnlyList<string>>, ValidationProblem>> Suggest(ISearchIndex index, CancellationToken ct, string? q = null, int limit = 8)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(q) || q.Length > 100)
        {
            errors["q"] = ["q is required, at most 100 characters."];
        }
        if (limit is < 1 or > 20)
        {
            errors["limit"] = ["limit must be between 1 and 20."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await index.SuggestAsync(q!, limit, ct));
    }
}
