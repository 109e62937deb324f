using System.Security.Claims;
using Marketplace.Catalog.Caching;
using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;

namespace Marketplace.Catalog.Api;

/// <summary>The merchant side of the catalogue: ownership, preconditions, versions and the events each change announces.</summary>
public sealed class CatalogWrites(IProductStore store, ProductCache cache, TimeProvider clock)
{
    /// <summary>Admins manage every merchant's products; a merchant only those of the merchant its token names.</summary>
    public static bool MayManage(ClaimsPrincipal user, Guid merchantId) =>
        user.IsInRole("admin") || (user.IsInRole("merchant") && MerchantOf(user) == merchantId);

    private static Guid? MerchantOf(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue("merchant_id"), out var id) ? id : null;

    public async Task<IResult> CreateAsync(ProductRequest request, HttpContext http, CancellationToken ct)
    {
        var errors = ProductValidation.Validate(request);
        var user = http.User;
        Guid? merchant = user.IsInRole("admin") ? request.MerchantId : MerchantOf(user);
        if (user.IsInRole("admin") && request.MerchantId is null)
        {
            errors["merchantId"] = ["An admin names the merchant the product belongs to."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (merchant is not { } merchantId || !MayManage(user, merchantId))
        {
            return Problems.Forbidden("This account is not a merchant's: its token names no merchant_id.");
        }
        var now = clock.GetUtcNow();
        var product = new Product { Id = Guid.CreateVersion7(), MerchantId = merchantId, Version = 1, CreatedAt = now, UpdatedAt = now };
        ProductValidation.Apply(request, product);
        // A new product is a draft: nobody else hears of it until it is published.
        var result = await store.CreateAsync(product, [], ct);
        if (result.Outcome == WriteOutcome.DuplicateSku)
        {
            return Problems.DuplicateSku(result.Sku);
        }
        await cache.InvalidateAsync(product.Id);
        http.Response.Headers.ETag = ETags.For(product.Version);
        return TypedResults.Created($"/api/catalog/products/{product.Id}", product);
    }

    public async Task<IResult> ReplaceAsync(Guid id, ProductRequest request, HttpContext http, CancellationToken ct)
    {
        var errors = ProductValidation.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return await ChangeAsync(id, http, requireIfMatch: true, ct, (product, now) =>
        {
            ProductValidation.Apply(request, product);
            // The snapshot carries the new price: every reader of prices (Search, the carts' checks) takes it from there.
            return product.IsPublished ? [new ProductUpdated(product.ToSnapshot(), now)] : [];
        });
    }

    public Task<IResult> SetPublishedAsync(Guid id, bool publish, HttpContext http, CancellationToken ct) =>
        ChangeAsync(id, http, requireIfMatch: false, ct, (product, now) =>
        {
            if (product.IsPublished == publish)
            {
                return null; // already so: nothing changes, no new version
            }
            product.IsPublished = publish;
            return publish
                ? [new ProductPublished(product.ToSnapshot(), now)]
                : [new ProductUnpublished(product.Id, product.Version, product.MerchantId, now)];
        });

    public async Task<IResult> DeleteAsync(Guid id, HttpContext http, CancellationToken ct)
    {
        var (product, refusal) = await LoadForChangeAsync(id, http, requireIfMatch: true, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        var result = await store.DeleteAsync(id, product!.Version,
            [new ProductDeleted(id, product.Version + 1, product.MerchantId, product.Skus.ToList(), clock.GetUtcNow())], ct);
        if (result.Outcome != WriteOutcome.Done)
        {
            return await RefusalAsync(id, result);
        }
        await cache.InvalidateAsync(id);
        return TypedResults.NoContent();
    }

    /// <param name="change">Applies the change and returns its events, or null when there is nothing to change.</param>
    private async Task<IResult> ChangeAsync(Guid id, HttpContext http, bool requireIfMatch, CancellationToken ct,
        Func<Product, DateTimeOffset, List<IIntegrationEvent>?> change)
    {
        var (product, refusal) = await LoadForChangeAsync(id, http, requireIfMatch, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        var (read, readAt) = (product!.Version, product.UpdatedAt);
        var now = clock.GetUtcNow();
        product.Version = read + 1;
        product.UpdatedAt = now;
        var events = change(product, now);
        if (events is null)
        {
            // Nothing changed: answer with the product as read.
            (product.Version, product.UpdatedAt) = (read, readAt);
            http.Response.Headers.ETag = ETags.For(read);
            return TypedResults.Ok(product);
        }
        var result = await store.ReplaceAsync(product, read, events, ct);
        if (result.Outcome != WriteOutcome.Done)
        {
            return await RefusalAsync(id, result);
        }
        await cache.InvalidateAsync(id);
        http.Response.Headers.ETag = ETags.For(product.Version);
        return TypedResults.Ok(product);
    }

    /// <summary>The product as stored (never the cache), if it exists, is the caller's, and If-Match names its version.</summary>
    private async Task<(Product? Product, IResult? Refusal)> LoadForChangeAsync(Guid id, HttpContext http, bool requireIfMatch, CancellationToken ct)
    {
        var product = await store.GetAsync(id, ct);
        if (product is null || (!product.IsPublished && !MayManage(http.User, product.MerchantId)))
        {
            return (null, Problems.ProductNotFound(id));
        }
        if (!MayManage(http.User, product.MerchantId))
        {
            return (null, Problems.Forbidden("Merchants change only their own products."));
        }
        var ifMatch = http.Request.Headers.IfMatch;
        if (ifMatch.Count == 0)
        {
            return requireIfMatch ? (null, Problems.PreconditionRequired()) : (product, null);
        }
        return ETags.Matches(ifMatch, product.Version) ? (product, null) : (null, Problems.Stale(product.Version));
    }

    private async Task<IResult> RefusalAsync(Guid id, WriteResult result) => result.Outcome switch
    {
        WriteOutcome.DuplicateSku => Problems.DuplicateSku(result.Sku),
        WriteOutcome.NotFound => Problems.ProductNotFound(id),
        // Someone else's write got in between our read and ours.
        _ => Problems.Stale((await store.GetAsync(id, CancellationToken.None))?.Version ?? 0),
    };
}
