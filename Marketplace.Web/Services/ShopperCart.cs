using System.Security.Cryptography;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;

namespace Marketplace.Web.Services;

/// <summary>
/// The cart of whoever is at the keyboard: a signed-in shopper's own, or a visitor's guest cart whose id is kept
/// in the browser's local storage (encrypted with the app's Data Protection keys). The first time a signed-in
/// circuit reads the cart, a guest cart left in the browser is merged into the shopper's and forgotten.
/// Needs the browser (local storage): call it once the page is interactive, not while prerendering.
/// </summary>
public sealed class ShopperCart(
    CartClient mine, GuestCartClient guest, AuthenticationStateProvider authentication, ProtectedLocalStorage storage, ILogger<ShopperCart> logger) : ICartApi
{
    private const string GuestCartKey = "mp.guest-cart";

    public async Task<Cart> GetAsync(CancellationToken ct)
    {
        var guestId = await GuestIdAsync();
        if (!await SignedInAsync())
        {
            return guestId is null ? Cart.Empty : await guest.GetAsync(guestId, ct);
        }
        if (guestId is not null)
        {
            try
            {
                var merged = await guest.MergeIntoMineAsync(guestId, ct);
                await storage.DeleteAsync(GuestCartKey);
                return merged;
            }
            catch (ApiException e) when (e.Status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound)
            {
                logger.LogInformation("A guest cart could not be merged ({Status}); forgetting it", (int)e.Status);
                await storage.DeleteAsync(GuestCartKey);
            }
        }
        return await mine.GetAsync(ct);
    }

    public async Task<Cart> SetQuantityAsync(string sku, int quantity, CancellationToken ct)
    {
        if (await SignedInAsync())
        {
            return await mine.SetQuantityAsync(sku, quantity, ct);
        }
        var guestId = await GuestIdAsync();
        if (guestId is null)
        {
            if (quantity == 0)
            {
                return Cart.Empty;
            }
            guestId = (await guest.CreateAsync(ct)).GuestCartId ?? throw new ApiException(System.Net.HttpStatusCode.BadGateway,
                "We couldn't start a cart just now. Please try again in a moment.", new Dictionary<string, string[]>());
            await storage.SetAsync(GuestCartKey, guestId);
        }
        return await guest.SetQuantityAsync(guestId, sku, quantity, ct);
    }

    public async Task<Cart> RemoveAsync(string sku, CancellationToken ct)
    {
        if (await SignedInAsync())
        {
            return await mine.RemoveAsync(sku, ct);
        }
        return await GuestIdAsync() is { } guestId ? await guest.RemoveAsync(guestId, sku, ct) : Cart.Empty;
    }

    private async Task<bool> SignedInAsync() => (await authentication.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated == true;

    private async Task<string?> GuestIdAsync()
    {
        try
        {
            var stored = await storage.GetAsync<string>(GuestCartKey);
            return stored.Success ? stored.Value : null;
        }
        catch (CryptographicException)
        {
            // Written under keys that are gone: a fresh cart it is.
            await storage.DeleteAsync(GuestCartKey);
            return null;
        }
    }
}
