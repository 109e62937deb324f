using System.Net.Http.Json;
using Microsoft.Playwright;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// A visitor fills a cart before having an account signed in (a guest cart, its id kept in the browser), is asked
/// to sign in at checkout, and finds the same items in the checkout afterwards: the guest cart was merged.
/// </summary>
[Collection(nameof(Journeys))]
public sealed class GuestCartJourneyTests(MarketplaceAppFixture app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public Task Journey_guest_fills_a_cart_signs_in_at_checkout_and_keeps_it() => JourneyPage.RunAsync(browser, app, "journey-guest", async tab =>
    {
        var page = tab.Page;
        var email = await app.NewShopperAsync("Gale Guest");
        using var merchant = await app.ClientForAsync("merchant@marketplace.test");
        var (productId, _) = await ProductWithStockAsync(merchant, $"{ShopperJourneyTests.UniqueWord()} Travel Kettle", units: 4, price: 31.25m);
        await page.SetViewportSizeAsync(JourneyPage.Phone, 844);

        await tab.GoAsync($"/products/{productId}");
        await Assertions.Expect(page.GetByTestId("stock-state")).ToContainTextAsync("Only 4 left");
        await page.GetByTestId("add-to-cart").ClickAsync();
        await Assertions.Expect(page.GetByTestId("cart-count")).ToContainTextAsync("1");
        await tab.GoAsync("/cart");
        await Assertions.Expect(page.GetByTestId("subtotal")).ToHaveTextAsync("Subtotal $31.25");
        await tab.ScreenshotAsync("journey-guest-cart-phone", JourneyPage.Phone);

        await page.GetByTestId("checkout").ClickAsync();
        await tab.SignInAtIdentityAsync(email);
        await tab.ArrivedAtAsync(tab.Web + "/checkout");
        await Assertions.Expect(page.GetByTestId("checkout-total")).ToHaveTextAsync("$31.25");
        await tab.ScreenshotAsync("journey-guest-checkout-after-sign-in-phone", JourneyPage.Phone);

        // The guest cart is now the shopper's own, and the browser no longer holds a guest cart.
        using var shopper = await app.ClientForAsync(email);
        var cart = await shopper.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/cart", TestContext.Current.CancellationToken);
        Assert.Equal(31.25m, cart.GetProperty("subtotal").GetDecimal());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k === 'mp.guest-cart').length"));
    });
}
