using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Signing in to the web app through Identity in a real browser: authorization code + PKCE, the user
/// and role in the app bar, the merchant console only for merchants and admins, sign-out, and a
/// Content-Security-Policy that the pages never violate.
/// </summary>
public sealed class BrowserSignInTests(MarketplaceAppFixture app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const float Timeout = 30_000;

    private string Web => app.App.GetEndpoint("web", "http").ToString().TrimEnd('/');

    private async Task<(IBrowserContext Context, IPage Page, ConcurrentQueue<string> Problems)> OpenAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        var problems = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            // Failed loads are reported below with their address.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                problems.Enqueue(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Enqueue($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue(error);
        return (context, page, problems);
    }

    private static async Task SignInAtIdentityAsync(IPage page, string email, string? screenshot = null)
    {
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        if (screenshot is not null)
        {
            await ScreenshotAsync(page, screenshot);
        }
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("Pass123$");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Runs a journey; on failure the page as it stood is kept beside the other screenshots.</summary>
    private async Task JourneyAsync(string name, Func<IPage, Task> journey)
    {
        var (context, page, problems) = await OpenAsync();
        await using var _ = context;
        try
        {
            await journey(page);
        }
        catch
        {
            await ScreenshotAsync(page, name + "-FAILED");
            throw;
        }
        Assert.True(problems.IsEmpty, "The browser reported problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    [Fact]
    public Task A_merchant_signs_in_from_the_storefront_and_opens_the_console() => JourneyAsync("merchant", async page =>
    {
        await page.GotoAsync(Web + "/");
        await page.GetByTestId("sign-in").ClickAsync();
        await SignInAtIdentityAsync(page, "merchant@marketplace.test", screenshot: "identity-sign-in");

        await page.WaitForURLAsync(Web + "/");
        Assert.Equal("Morgan Merchant", await page.GetByTestId("user-name").InnerTextAsync());
        Assert.Equal("Merchant", (await page.GetByTestId("user-role").InnerTextAsync()).Trim());
        await page.GetByRole(AriaRole.Link, new() { Name = "Merchant console" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Merchant console" }).WaitForAsync();
        await ScreenshotAsync(page, "merchant-console");

        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync(Web + "/");
        await page.GetByTestId("sign-in").WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("user-name").CountAsync());

    });

    [Fact]
    public Task A_shopper_sent_to_the_console_signs_in_and_is_turned_away() => JourneyAsync("shopper", async page =>
    {
        await page.GotoAsync(Web + "/admin");
        await SignInAtIdentityAsync(page, "shopper@marketplace.test");

        await page.GetByTestId("access-denied").WaitForAsync();
        Assert.StartsWith(Web + "/access-denied", page.Url, StringComparison.Ordinal);
        Assert.Equal("Sam Shopper", await page.GetByTestId("user-name").InnerTextAsync());
        Assert.Equal("Shopper", (await page.GetByTestId("user-role").InnerTextAsync()).Trim());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Merchant console" }).CountAsync());
        await ScreenshotAsync(page, "shopper-turned-away");

    });

    [Fact]
    public Task A_visitor_registers_and_comes_back_signed_in() => JourneyAsync("register", async page =>
    {        var email = $"browser.{Guid.NewGuid():N}@marketplace.test";

        await page.GotoAsync(Web + "/");
        await page.GetByTestId("sign-in").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        await page.GetByLabel("Your name").FillAsync("Brook Browser");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password (at least").FillAsync("short");
        await page.GetByLabel("Repeat the password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.GetByText("The password must be 8 to 128 characters.").WaitForAsync();
        await ScreenshotAsync(page, "identity-register-refused");

        await page.GetByLabel("Password (at least").FillAsync("Brook123$");
        await page.GetByLabel("Repeat the password").FillAsync("Brook123$");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await page.WaitForURLAsync(Web + "/");
        Assert.Equal("Brook Browser", await page.GetByTestId("user-name").InnerTextAsync());
        Assert.Equal("Shopper", (await page.GetByTestId("user-role").InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "registered-shopper");

    });
}
