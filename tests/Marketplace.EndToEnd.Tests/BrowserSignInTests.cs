using Microsoft.Playwright;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Signing in to the web app through Identity in a real browser: authorization code + PKCE, the user
/// and role in the app bar, the merchant console only for merchants and admins, sign-out, and a
/// Content-Security-Policy that the pages never violate.
/// </summary>
public sealed class BrowserSignInTests(MarketplaceAppFixture app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private Task JourneyAsync(string name, Func<JourneyPage, Task> journey) => JourneyPage.RunAsync(browser, app, name, journey);

    [Fact]
    public Task A_merchant_signs_in_from_the_storefront_and_opens_the_console() => JourneyAsync("merchant", async tab =>
    {
        var (page, web) = (tab.Page, tab.Web);
        await page.GotoAsync(web + "/");
        await page.GetByTestId("sign-in").ClickAsync();
        await tab.SignInAtIdentityAsync("merchant@marketplace.test", screenshot: "identity-sign-in");

        await tab.ArrivedAtAsync(web + "/");
        Assert.Equal("Morgan Merchant", await page.GetByTestId("user-name").InnerTextAsync());
        Assert.Equal("Merchant", (await page.GetByTestId("user-role").InnerTextAsync()).Trim());
        await page.GetByRole(AriaRole.Link, new() { Name = "Merchant console" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Merchant console" }).WaitForAsync();
        await tab.ScreenshotAsync("merchant-console");

        await page.GetByTestId("sign-out").ClickAsync();
        await tab.ArrivedAtAsync(web + "/");
        await page.GetByTestId("sign-in").WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("user-name").CountAsync());
    });

    [Fact]
    public Task A_shopper_sent_to_the_console_signs_in_and_is_turned_away() => JourneyAsync("shopper", async tab =>
    {
        var (page, web) = (tab.Page, tab.Web);
        await page.GotoAsync(web + "/admin");
        await tab.SignInAtIdentityAsync("shopper@marketplace.test");

        await page.GetByTestId("access-denied").WaitForAsync();
        Assert.StartsWith(web + "/access-denied", page.Url, StringComparison.Ordinal);
        Assert.Equal("Sam Shopper", await page.GetByTestId("user-name").InnerTextAsync());
        Assert.Equal("Shopper", (await page.GetByTestId("user-role").InnerTextAsync()).Trim());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Merchant console" }).CountAsync());
        await tab.ScreenshotAsync("shopper-turned-away");
    });

    [Fact]
    public Task A_visitor_registers_signs_in_and_comes_back_signed_in() => JourneyAsync("register", async tab =>
    {
        var (page, web) = (tab.Page, tab.Web);
        var email = $"browser.{Guid.NewGuid():N}@marketplace.test";

        await page.GotoAsync(web + "/");
        await page.GetByTestId("sign-in").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        await page.GetByLabel("Your name").FillAsync("Brook Browser");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password (at least").FillAsync("short");
        await page.GetByLabel("Repeat the password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.GetByText("The password must be 8 to 128 characters.").WaitForAsync();
        await tab.ScreenshotAsync("identity-register-refused");

        await page.GetByLabel("Password (at least").FillAsync("Brook123$");
        await page.GetByLabel("Repeat the password").FillAsync("Brook123$");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        // Registration signs nobody in (the answer is the same whether the address had an account): sign in next.
        await page.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" }).WaitForAsync();
        await tab.ScreenshotAsync("identity-registered");
        await page.GetByTestId("continue-to-sign-in").ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("Brook123$");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await tab.ArrivedAtAsync(web + "/");
        Assert.Equal("Brook Browser", await page.GetByTestId("user-name").InnerTextAsync());
        Assert.Equal("Shopper", (await page.GetByTestId("user-role").InnerTextAsync()).Trim());
        await tab.ScreenshotAsync("registered-shopper");
    });
}
