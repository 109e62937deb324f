using System.Security.Claims;
using Marketplace.Ordering.Cart;
using Marketplace.Ordering.Application;
using Marketplace.Ordering.Checkout;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Contracts;

namespace Marketplace.Ordering.Api;

public sealed record CartLineDto(
    string Sku, Guid ProductId, Guid MerchantId, string Title, int Quantity, decimal UnitPrice, decimal UnitPriceWhenAdded,
    bool PriceChanged, bool OnSale, decimal LineTotal);

/// <param name="PricesCurrent">False when the catalogue could not be asked and the prices shown are those from when each line was added.</param>
public sealed record CartDto(string? GuestCartId, IReadOnlyList<CartLineDto> Lines, decimal Subtotal, string Currency, int ItemCount, bool PricesCurrent);

public sealed record SetCartLineRequest(int Quantity);

public sealed record MergeCartRequest(string? GuestCartId);

/// <summary>
/// Carts: a signed-in buyer's (<c>/api/cart</c>) and guests' (<c>/api/cart/guest/{cartId}</c>, anonymous,
/// the id being the key). At sign-in the client merges the guest cart into the buyer's. Reading a cart
/// re-prices it from the catalogue, so the shopper sees today's prices before checkout (which prices
/// again, and refuses an order whose expected total no longer holds).
/// </summary>
public static class CartEndpoints
{
    public static IEndpointRouteBuilder MapCartEndpoints(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/cart").WithTags("Cart").RequireAuthorization();
        mine.MapGet("/", (ClaimsPrincipal user, CartStore carts, CatalogPrices catalog, CancellationToken ct) =>
            WithBuyer(user, cart => ReadAsync(cart, null, carts, catalog, ct)));
        mine.MapPut("/items/{sku}", (string sku, SetCartLineRequest request, ClaimsPrincipal user, CartStore carts, CatalogPrices catalog, TimeProvider clock, CancellationToken ct) =>
            WithBuyer(user, cart => SetLineAsync(cart, null, sku, request, carts, catalog, clock, ct)));
        mine.MapDelete("/items/{sku}", (string sku, ClaimsPrincipal user, CartStore carts, CatalogPrices catalog, CancellationToken ct) =>
            WithBuyer(user, async cart =>
            {
                await carts.RemoveAsync(cart, sku);
                return await ReadAsync(cart, null, carts, catalog, ct);
            }));
        mine.MapDelete("/", (ClaimsPrincipal user, CartStore carts) => WithBuyer(user, async cart =>
        {
            await carts.ClearAsync(cart);
            return TypedResults.NoContent();
        }));
        mine.MapPost("/merge", (MergeCartRequest request, ClaimsPrincipal user, CartStore carts, CatalogPrices catalog, CancellationToken ct) =>
            WithBuyer(user, async cart =>
            {
                if (!CartId.IsGuestId(request.GuestCartId))
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["guestCartId"] = ["guestCartId is the id the guest cart was created with."] });
                }
                var merged = await carts.MergeAsync(CartId.ForGuest(request.GuestCartId!), cart, PlaceOrder.MaxQuantity);
                if (!merged.Merged)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cart full",
                        detail: $"Merging the guest cart would give this cart {merged.TotalLines} different items; a cart holds at most {CartStore.MaxLines}. " +
                            "Nothing was merged and the guest cart is kept: remove lines from either cart and merge again.",
                        extensions: new Dictionary<string, object?> { ["maxLines"] = CartStore.MaxLines, ["mergedLines"] = merged.TotalLines });
                }
                return await ReadAsync(cart, null, carts, catalog, ct);
            }));

        var guest = app.MapGroup("/api/cart/guest").WithTags("Cart").AllowAnonymous();
        guest.MapPost("/", () => TypedResults.Created((string?)null, new CartDto(CartId.NewGuestId(), [], 0, "USD", 0, true)));
        guest.MapGet("/{cartId}", (string cartId, CartStore carts, CatalogPrices catalog, CancellationToken ct) =>
            WithGuest(cartId, cart => ReadAsync(cart, cartId, carts, catalog, ct)));
        guest.MapPut("/{cartId}/items/{sku}", (string cartId, string sku, SetCartLineRequest request, CartStore carts, CatalogPrices catalog, TimeProvider clock, CancellationToken ct) =>
            WithGuest(cartId, cart => SetLineAsync(cart, cartId, sku, request, carts, catalog, clock, ct)));
        guest.MapDelete("/{cartId}/items/{sku}", (string cartId, string sku, CartStore carts, CatalogPrices catalog, CancellationToken ct) =>
            WithGuest(cartId, async cart =>
            {
                await carts.RemoveAsync(cart, sku);
                return await ReadAsync(cart, cartId, carts, catalog, ct);
            }));
        return app;
    }

    private static async Task<IResult> WithBuyer(ClaimsPrincipal user, Func<CartId, Task<IResult>> action) =>
        user.UserId() is { } buyer
            ? await action(CartId.ForBuyer(buyer))
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Shoppers only", detail: "A cart belongs to a shopper's account.");

    private static async Task<IResult> WithGuest(string cartId, Func<CartId, Task<IResult>> action) =>
        CartId.IsGuestId(cartId)
            ? await action(CartId.ForGuest(cartId))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Cart not found", detail: "Guest carts are reached by the id POST /api/cart/guest gave.");

    private static async Task<IResult> SetLineAsync(CartId cart, string? guestId, string sku, SetCartLineRequest request,
        CartStore carts, CatalogPrices catalog, TimeProvider clock, CancellationToken ct)
    {
        if (request.Quantity is < 0 or > PlaceOrder.MaxQuantity)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["quantity"] = [$"quantity is between 1 and {PlaceOrder.MaxQuantity} (0 removes the line)."] });
        }
        if (request.Quantity == 0)
        {
            await carts.RemoveAsync(cart, sku);
            return await ReadAsync(cart, guestId, carts, catalog, ct);
        }
        if (sku.Length > 64)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sku"] = ["A SKU has at most 64 characters."] });
        }
        IReadOnlyDictionary<string, SkuInfo> found;
        try
        {
            found = await catalog.LookUpAsync([sku], ct);
        }
        catch (HttpRequestException)
        {
            return CatalogUnavailable();
        }
        if (!found.TryGetValue(sku, out var info) || !info.IsPublished)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sku"] = [$"No product on sale has the SKU '{sku}'."] });
        }
        if (!await carts.ContainsAsync(cart, sku) && await carts.CountAsync(cart) >= CartStore.MaxLines)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cart full", detail: $"A cart holds at most {CartStore.MaxLines} different items.");
        }
        await carts.SetAsync(cart, new StoredCartItem(sku, request.Quantity, info.ProductId, info.MerchantId, info.Title, info.UnitPrice, info.Currency, clock.GetUtcNow()));
        return await ReadAsync(cart, guestId, carts, catalog, ct);
    }

    private static async Task<IResult> ReadAsync(CartId cart, string? guestId, CartStore carts, CatalogPrices catalog, CancellationToken ct)
    {
        var items = await carts.GetAsync(cart);
        IReadOnlyDictionary<string, SkuInfo>? current = null;
        if (items.Count > 0)
        {
            try
            {
                current = await catalog.LookUpAsync(items.Select(i => i.Sku), ct);
            }
            catch (HttpRequestException)
            {
                // Shown with the prices as added, and said so.
            }
        }
        var lines = items.Select(i =>
        {
            var now = current?.GetValueOrDefault(i.Sku);
            var price = now?.UnitPrice ?? i.UnitPriceWhenAdded;
            var onSale = current is null || now is { IsPublished: true };
            // Who sells the SKU is the catalogue's to say now, not what it said when the line was added.
            return new CartLineDto(i.Sku, now?.ProductId ?? i.ProductId, now?.MerchantId ?? i.MerchantId, now?.Title ?? i.Title, i.Quantity, price, i.UnitPriceWhenAdded,
                price != i.UnitPriceWhenAdded, onSale, onSale ? price * i.Quantity : 0);
        }).ToList();
        return TypedResults.Ok(new CartDto(guestId, lines, lines.Sum(l => l.LineTotal), items.FirstOrDefault()?.Currency ?? "USD",
            lines.Where(l => l.OnSale).Sum(l => l.Quantity), current is not null || items.Count == 0));
    }

    private static IResult CatalogUnavailable() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Catalogue unavailable", detail: "The catalogue could not be reached to price the item. Try again in a moment.");
}
