using System.Security.Claims;
using Marketplace.Catalog.Availability;
using Marketplace.Catalog.Caching;
using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace Marketplace.Catalog.Api;

/// <summary>
/// The catalogue over HTTP. Anyone reads published products (cached). Merchants create, replace,
/// publish, unpublish and delete their own products, admins anyone's; every change names the version
/// it read (<c>If-Match</c>, the ETag of a read) so a stale write is refused with 412 instead of
/// overwriting someone else's change.
/// </summary>
public static class ProductEndpoints
{
    public const int MaxPageSize = 100;

    /// <summary>How deep paging goes: page × pageSize at most this (deeper offsets cost the store a scan of everything before).</summary>
    public const int MaxDepth = 10_000;

    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/catalog/products").WithTags("Products");
        products.MapGet("/", ListProducts);
        products.MapGet("/{id:guid}", GetProduct);
        products.MapGet("/{id:guid}/availability", GetAvailability);

        var manage = products.MapGroup("").RequireAuthorization(MarketplacePolicies.MerchantOrAdmin);
        manage.MapPost("/", CreateProduct);
        manage.MapPut("/{id:guid}", ReplaceProduct);
        manage.MapDelete("/{id:guid}", DeleteProduct);
        manage.MapPost("/{id:guid}/publish", (Guid id, HttpContext http, CatalogWrites writes, CancellationToken ct) => writes.SetPublishedAsync(id, true, http, ct));
        manage.MapPost("/{id:guid}/unpublish", (Guid id, HttpContext http, CatalogWrites writes, CancellationToken ct) => writes.SetPublishedAsync(id, false, http, ct));

        // For rebuilding search indexes: our services only, never routed by the gateway.
        app.MapGet("/internal/catalog/products", ScanProducts).RequireAuthorization(MarketplacePolicies.Service).WithTags("Internal");
        // For pricing orders (Ordering) and learning who owns a SKU (Inventory).
        app.MapGet("/internal/catalog/skus", LookUpSkus).RequireAuthorization(MarketplacePolicies.Service).WithTags("Internal");
        return app;
    }

    private static async Task<IResult> ListProducts(
        HttpContext http, IProductStore store, ProductCache cache, CancellationToken ct,
        string? category = null, Guid? merchantId = null, bool includeUnpublished = false, int page = 1, int pageSize = 24)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > 10_000)
        {
            errors["page"] = ["page must be between 1 and 10000."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        }
        else if (page >= 1 && (long)page * pageSize > MaxDepth)
        {
            errors["page"] = [$"Listings go {MaxDepth} products deep: page × pageSize must be at most {MaxDepth}. Filter by category or merchant instead."];
        }
        if (category is { Length: > 300 })
        {
            errors["category"] = ["category must be at most 300 characters."];
        }
        if (includeUnpublished && merchantId is null)
        {
            errors["merchantId"] = ["includeUnpublished needs the merchantId whose drafts to list."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (includeUnpublished)
        {
            // A merchant's drafts are its own business (and the admins').
            if (http.User.Identity?.IsAuthenticated != true)
            {
                return TypedResults.Unauthorized();
            }
            if (!CatalogWrites.MayManage(http.User, merchantId!.Value))
            {
                return Problems.Forbidden("Only the merchant itself or an admin sees its unpublished products.");
            }
            return TypedResults.Ok(await store.ListAsync(new ProductQuery(category, merchantId, PublishedOnly: false, page, pageSize), ct));
        }
        var query = new ProductQuery(category, merchantId, PublishedOnly: true, page, pageSize);
        return TypedResults.Ok(await cache.GetListAsync(query, async token => await store.ListAsync(query, token), ct));
    }

    private static async Task<IResult> GetProduct(Guid id, HttpContext http, IProductStore store, ProductCache cache, CancellationToken ct)
    {
        var product = await cache.GetProductAsync(id, async token => await store.GetAsync(id, token), ct);
        // Drafts are visible to their merchant and admins only; to anyone else they do not exist.
        if (product is null || (!product.IsPublished && !CatalogWrites.MayManage(http.User, product.MerchantId)))
        {
            return Problems.ProductNotFound(id);
        }
        var etag = ETags.For(product.Version);
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "no-cache";
        return ETags.Matches(http.Request.Headers.IfNoneMatch, product.Version) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(product);
    }

    private static async Task<IResult> GetAvailability(Guid id, HttpContext http, IProductStore store, ProductCache cache, CatalogDbContext db, CancellationToken ct)
    {
        var product = await cache.GetProductAsync(id, async token => await store.GetAsync(id, token), ct);
        if (product is null || (!product.IsPublished && !CatalogWrites.MayManage(http.User, product.MerchantId)))
        {
            return Problems.ProductNotFound(id);
        }
        var variants = await db.ForSkusAsync([.. product.Skus], ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ProductAvailability(id, variants.Any(v => v.InStock), variants));
    }

    public const int MaxSkuLookup = 100;

    private static async Task<IResult> LookUpSkus(string[]? sku, IProductStore store, CancellationToken ct)
    {
        var skus = (sku ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal).ToList();
        if (skus.Count is 0 or > MaxSkuLookup)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sku"] = [$"Name between 1 and {MaxSkuLookup} SKUs."] });
        }
        var products = await store.FindBySkusAsync(skus, ct);
        var wanted = skus.ToHashSet(StringComparer.Ordinal);
        return TypedResults.Ok(products.SelectMany(p => p.Variants.Where(v => wanted.Contains(v.Sku)).Select(v => new SkuInfo(
            v.Sku, p.Id, p.MerchantId, p.Title, v.PriceOverride ?? p.Price, p.Currency, p.IsPublished, p.Version))).ToList());
    }

    private static Task<IResult> CreateProduct(ProductRequest request, HttpContext http, CatalogWrites writes, CancellationToken ct) =>
        writes.CreateAsync(request, http, ct);

    private static Task<IResult> ReplaceProduct(Guid id, ProductRequest request, HttpContext http, CatalogWrites writes, CancellationToken ct) =>
        writes.ReplaceAsync(id, request, http, ct);

    private static Task<IResult> DeleteProduct(Guid id, HttpContext http, CatalogWrites writes, CancellationToken ct) =>
        writes.DeleteAsync(id, http, ct);

    private static async Task<IResult> ScanProducts(IProductStore store, CancellationToken ct, Guid? after = null, int limit = 500, bool publishedOnly = true)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 1000."] });
        }
        var items = await store.ScanAsync(after, limit, publishedOnly, ct);
        return TypedResults.Ok(new { items = items.Select(p => p.ToSnapshot()), next = items.Count == limit ? items[^1].Id : (Guid?)null });
    }
}

/// <summary>Strong ETags from product versions: <c>"7"</c>.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>Whether any of the header's tags (or <c>*</c>) names this version.</summary>
    public static bool Matches(Microsoft.Extensions.Primitives.StringValues header, long version)
    {
        foreach (var value in header)
        {
            foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (tag == "*" || tag == For(version) || tag == "W/" + For(version))
                {
                    return true;
                }
            }
        }
        return false;
    }
}

public static class Problems
{
    public static IResult ProductNotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Product not found", detail: $"No product you can see has the id {id}.");

    public static IResult Forbidden(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Not your product", detail: detail);

    public static IResult PreconditionRequired() => TypedResults.Problem(
        statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required",
        detail: "Send the ETag of the product as you read it in If-Match, so a change made since is not overwritten.");

    public static IResult Stale(long current) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed, title: "The product changed since you read it",
        detail: $"The product is now at version {current}. Read it again, re-apply your change and send its new ETag.");

    public static IResult DuplicateSku(string? sku) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: "SKU already in use",
        detail: $"Another product already has the SKU {sku}. SKUs are unique across the marketplace.",
        extensions: new Dictionary<string, object?> { ["sku"] = sku });
}
