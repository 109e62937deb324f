using Microsoft.Playwright;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// A merchant's day in the console: creates a product with a variant and a typed attribute, finds it in the
/// storefront's search, ships a shopper's order of it, and the shopper, watching the order page, sees it Shipped.
/// </summary>
[Collection(nameof(Journeys))]
public sealed class MerchantJourneyTests(MarketplaceAppFixture app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public Task Journey_merchant_creates_a_product_finds_it_in_the_shop_and_ships_an_order_the_shopper_sees_shipped() => JourneyPage.RunAsync(browser, app, "journey-merchant", async tab =>
    {
        var page = tab.Page;
        var word = ShopperJourneyTests.UniqueWord();
        var sku = $"JRN-{Guid.NewGuid():N}"[..16].ToUpperInvariant();

        await tab.SignInAsync("merchant@marketplace.test");
        await tab.GoAsync("/admin/products/new");
        await page.GetByTestId("product-title-input").FillAsync($"{word} Camping Lantern");
        await page.GetByTestId("product-brand").FillAsync("Journeyworks");
        await page.GetByTestId("product-category").FillAsync("Sports/Outdoor");
        await page.GetByTestId("product-price-input").FillAsync("42.50");
        await page.GetByTestId("variant-sku").FillAsync(sku);
        await page.GetByTestId("variant-options").FillAsync("colour: Amber");
        await page.GetByTestId("attribute-add").ClickAsync();
        await page.GetByTestId("attribute-name").FillAsync("batteryHours");
        await page.GetByTestId("attribute-type").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Number" }).ClickAsync();
        await page.GetByTestId("attribute-value").FillAsync("twelve");
        await Assertions.Expect(page.GetByText("Enter a number, such as 6.1.")).ToBeVisibleAsync();
        await page.GetByTestId("attribute-value").FillAsync("12");
        await page.GetByTestId("attribute-unit").FillAsync("h");
        await page.GetByTestId("save-and-publish").ClickAsync();
        await Assertions.Expect(page.GetByTestId("product-state")).ToHaveTextAsync("Published");
        await tab.ArrivedAtAsync(new System.Text.RegularExpressions.Regex("/admin/products/[0-9a-f-]{36}$"));
        var productId = Guid.Parse(page.Url[^36..]);
        await tab.ScreenshotAsync("journey-merchant-product-editor");

        // Stock arrives from a count (the warehouse's job, through the API here), then the shop sells it.
        using var merchant = await app.ClientForAsync("merchant@marketplace.test");
        await SetStockAsync(merchant, sku, 10);
        await ShopperJourneyTests.FoundInSearchAsync(app, word, productId);

        await tab.SearchAsync(word);
        var card = page.GetByTestId("product-card").Filter(new() { HasText = $"{word} Camping Lantern" });
        await card.WaitForAsync();
        Assert.Contains("$42.50", await card.InnerTextAsync());
        await tab.ScreenshotAsync("journey-merchant-product-in-search");

        // A shopper buys it (through the API, as the shopper journey covers the checkout) and watches the order page.
        using var shopperApi = await app.ClientForAsync("shopper@marketplace.test");
        var orderId = await PlaceAcceptedAsync(shopperApi, Order(sku, quantity: 2, expectedTotal: 85.00m));
        await OrderInStatusAsync(shopperApi, orderId, "Confirmed");
        await using var shopper = await JourneyPage.OpenAsync(browser, app);
        await shopper.SignInAsync("shopper@marketplace.test");
        await shopper.GoAsync($"/orders/{orderId}");
        await Assertions.Expect(shopper.Page.GetByTestId("order-status")).ToHaveTextAsync("Confirmed");
        await shopper.Page.EvaluateAsync("() => window.__sameDocument = true");

        await tab.GoAsync("/admin");
        await Assertions.Expect(page.GetByTestId("kpi-to-ship")).Not.ToHaveTextAsync("0");
        await tab.ScreenshotAsync("journey-merchant-dashboard");
        await tab.GoAsync("/admin/stock");
        await page.GetByTestId("sync-panel").WaitForAsync();
        await tab.ScreenshotAsync("journey-merchant-stock");
        // A delivery arrives: five more on the shelf.
        await page.GetByTestId("find-sku").FillAsync(sku);
        await page.GetByTestId("find-sku").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("on-hand")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("on-hand")).ToHaveTextAsync("10");
        await page.GetByTestId("change-stock").ClickAsync();
        await page.GetByTestId("adjust-delta").FillAsync("5");
        await page.GetByTestId("adjust-reason").FillAsync("Delivery from the supplier");
        await tab.ScreenshotAsync("journey-merchant-stock-adjust");
        await page.GetByTestId("save-stock").ClickAsync();
        await Assertions.Expect(page.GetByTestId("on-hand")).ToHaveTextAsync("15");

        await tab.GoAsync("/admin/orders");
        var order = page.Locator($"[data-order-id='{orderId}']");
        await Assertions.Expect(order.GetByTestId("order-status")).ToHaveTextAsync("Confirmed");
        await order.GetByTestId("ship").ClickAsync();
        await page.GetByTestId("tracking-number").FillAsync("TRACK-123");
        await tab.ScreenshotAsync("journey-merchant-ship-dialog");
        await page.GetByTestId("confirm-ship").ClickAsync();
        await Assertions.Expect(order.GetByTestId("order-status")).ToHaveTextAsync("Shipped");
        await tab.ScreenshotAsync("journey-merchant-fulfilment");

        await Assertions.Expect(shopper.Page.GetByTestId("order-status")).ToHaveTextAsync("Shipped", new() { Timeout = 20_000 });
        Assert.True(await shopper.Page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the shopper's order page was reloaded");
        await Assertions.Expect(shopper.Page.GetByText("TRACK-123")).ToBeVisibleAsync();
        await shopper.ScreenshotAsync("journey-shopper-order-shipped");
        await shopper.ScreenshotAsync("journey-shopper-order-shipped-phone", JourneyPage.Phone);
        Assert.True(shopper.Problems.IsEmpty, "The shopper's browser reported problems:" + Environment.NewLine + string.Join(Environment.NewLine, shopper.Problems));
    });
}
