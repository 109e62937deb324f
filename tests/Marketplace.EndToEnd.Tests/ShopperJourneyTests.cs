using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// A shopper's whole visit in a real browser: signs in, searches with a typo, opens the product, adds it to the
/// cart, checks out with the simulator's card that confirms after a moment, and watches the order turn Confirmed
/// on its page without reloading it. Screenshots at desktop and phone width.
/// </summary>
[Collection(nameof(Journeys))]
public sealed class ShopperJourneyTests(MarketplaceAppFixture app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A word no other product has, long enough that two letters may be wrong (typo tolerance grows with length).</summary>
    public static string UniqueWord() =>
        "Qu" + new string([.. Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(6).Select(c => (char)('k' + (c - 'a')))]) + "ex";

    public static async Task<JsonElement> FoundInSearchAsync(MarketplaceAppFixture app, string query, Guid productId)
    {
        using var anonymous = app.CreateRawClient("gateway");
        JsonElement hit = default;
        await EventuallyAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/search?q={Uri.EscapeDataString(query)}");
            request.Headers.CacheControl = new() { NoCache = true };
            using var response = await anonymous.SendAsync(request, Ct);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            hit = result.GetProperty("hits").EnumerateArray().Single(h => h.GetProperty("productId").GetGuid() == productId);
            Assert.True(hit.GetProperty("inStock").GetBoolean());
        }, seconds: 20);
        return hit;
    }

    [Fact]
    public Task Journey_shopper_searches_with_a_typo_buys_and_sees_the_order_confirmed_live() => JourneyPage.RunAsync(browser, app, "journey-shopper", async tab =>
    {
        var page = tab.Page;
        var word = UniqueWord();
        using var merchant = await app.ClientForAsync("merchant@marketplace.test");
        var (productId, _) = await ProductWithStockAsync(merchant, $"{word} Wireless Headphones", units: 5, price: 59.99m);
        await FoundInSearchAsync(app, word, productId);
        // The development shopper's cart may hold another test's lines: this visit starts from an empty one.
        using (var shopper = await app.ClientForAsync("shopper@marketplace.test"))
        using (var cleared = await shopper.DeleteAsync("/api/cart", Ct))
        {
            cleared.EnsureSuccessStatusCode();
        }

        await tab.SignInAsync("shopper@marketplace.test");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Shop by category" }).WaitForAsync();
        await tab.ScreenshotAsync("journey-shopper-home");
        await tab.ScreenshotAsync("journey-shopper-home-phone", JourneyPage.Phone);
        await page.SetViewportSizeAsync(JourneyPage.Desktop, 900);

        // Two letters wrong: one dropped from the product's word, one from "headphones".
        var typo = word.Remove(3, 1) + " hedphones";
        await tab.SearchAsync(typo);
        var card = page.GetByTestId("product-card").Filter(new() { HasText = $"{word} Wireless Headphones" });
        await card.WaitForAsync();
        Assert.Contains("$59.99", await card.InnerTextAsync());
        await tab.ScreenshotAsync("journey-shopper-search");
        await tab.ScreenshotAsync("journey-shopper-search-phone", JourneyPage.Phone);
        await page.SetViewportSizeAsync(JourneyPage.Desktop, 900);

        await card.ClickAsync();
        await tab.ArrivedAtAsync($"{tab.Web}/products/{productId}");
        await Assertions.Expect(page.GetByTestId("product-title")).ToHaveTextAsync($"{word} Wireless Headphones");
        await Assertions.Expect(page.GetByTestId("stock-state")).ToContainTextAsync("Only 5 left");
        await Assertions.Expect(page.GetByTestId("attributes")).ToContainTextAsync("Battery hours");
        await tab.ScreenshotAsync("journey-shopper-product");
        await tab.ScreenshotAsync("journey-shopper-product-phone", JourneyPage.Phone);
        await page.SetViewportSizeAsync(JourneyPage.Desktop, 900);

        await page.GetByTestId("add-to-cart").ClickAsync();
        await Assertions.Expect(page.GetByTestId("cart-count")).ToContainTextAsync("1");
        await page.GetByRole(AriaRole.Link, new() { Name = "Cart, 1 item" }).ClickAsync();
        await tab.ArrivedAtAsync(tab.Web + "/cart");
        await Assertions.Expect(page.GetByTestId("subtotal")).ToHaveTextAsync("Subtotal $59.99");
        await page.GetByTestId("increase").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subtotal")).ToHaveTextAsync("Subtotal $119.98");
        await tab.ScreenshotAsync("journey-shopper-cart");
        await tab.ScreenshotAsync("journey-shopper-cart-phone", JourneyPage.Phone);
        await page.SetViewportSizeAsync(JourneyPage.Desktop, 900);

        await page.GetByTestId("checkout").ClickAsync();
        await tab.ArrivedAtAsync(tab.Web + "/checkout");
        await page.GetByTestId("address-name").FillAsync("Sam Shopper");
        await page.GetByTestId("address-line1").FillAsync("1 Journey Lane");
        await page.GetByTestId("address-city").FillAsync("Springfield");
        await page.GetByTestId("address-postal-code").FillAsync("10001");
        await page.GetByTestId("address-country").FillAsync("US");
        // The simulator's card that the bank confirms a moment later: the page must change while it is watched.
        await page.GetByText("Test card that confirms after a moment").ClickAsync();
        await Assertions.Expect(page.GetByTestId("checkout-total")).ToHaveTextAsync("$119.98");
        await tab.ScreenshotAsync("journey-shopper-checkout");
        await page.GetByTestId("place-order").ClickAsync();

        // Held at the click: the order page says so at once, before any payment news.
        await tab.ArrivedAtAsync(new System.Text.RegularExpressions.Regex("/orders/[0-9a-f-]{36}\\?held=[0-9]+$"));
        await Assertions.Expect(page.GetByTestId("held")).ToContainTextAsync("You got it");
        await page.EvaluateAsync("() => window.__sameDocument = true");
        var status = page.GetByTestId("order-status");
        var before = (await status.InnerTextAsync()).Trim();
        // The card confirms about two seconds after the order is placed: the page shows the wait first, then the change.
        Assert.Contains(before, new[] { "Pending", "Awaiting payment" });
        await Assertions.Expect(status).ToHaveTextAsync("Confirmed", new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the order page was reloaded");
        await tab.ScreenshotAsync("journey-shopper-order-confirmed");
        await tab.ScreenshotAsync("journey-shopper-order-confirmed-phone", JourneyPage.Phone);

        var orderId = Guid.Parse(System.Text.RegularExpressions.Regex.Match(page.Url, "/orders/([0-9a-f-]{36})").Groups[1].Value);
        using var check = await app.ClientForAsync("shopper@marketplace.test");
        var order = await OrderAsync(check, orderId);
        Assert.Equal(119.98m, order.GetProperty("total").GetDecimal());
        Assert.Equal(2, order.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    });
}
