using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// The browser journeys run alone (after the parallel tests): they share the development shopper's cart with the
/// authorization matrix, and a quiet machine keeps each well under a minute.
/// </summary>
[CollectionDefinition(nameof(Journeys), DisableParallelization = true)]
public sealed class Journeys;

/// <summary>A signed-in browser tab on the web app, with what it complained about (console errors, failed loads).</summary>
public sealed class JourneyPage(IBrowserContext context, IPage page, string web) : IAsyncDisposable
{
    public const float Timeout = 30_000;
    public const int Desktop = 1280;
    public const int Phone = 390;

    public IPage Page => page;
    public string Web => web;
    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Everything the page said (console, navigations, failed requests), kept beside a failed journey's screenshot.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public static async Task<JourneyPage> OpenAsync(BrowserFixture browser, MarketplaceAppFixture app)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = Desktop, Height = 900 } });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        var journey = new JourneyPage(context, page, app.App.GetEndpoint("web", "http").ToString().TrimEnd('/'));
        var started = DateTime.UtcNow;
        void Note(string line) => journey.Log.Enqueue($"{(DateTime.UtcNow - started).TotalSeconds,8:F3}s {line}");
        page.Console += (_, message) => Note($"console.{message.Type}: {message.Text}");
        page.FrameNavigated += (_, frame) => Note($"navigated: {frame.Url}");
        page.RequestFailed += (_, request) => Note($"request failed: {request.Method} {request.Url} {request.Failure}");
        // The circuit's traffic that tells whether a browser event reached the server and what became of it: each event
        // dispatched, and each answer to one (a failed dispatch names its error), so a lost click shows in a failed journey's log.
        page.WebSocket += (_, socket) =>
        {
            socket.FrameSent += (_, frame) =>
            {
                if (frame.Text?.Contains("DispatchEventAsync", StringComparison.Ordinal) == true)
                {
                    Note($"event sent: {Clip(frame.Text)}");
                }
            };
            socket.FrameReceived += (_, frame) =>
            {
                if (frame.Text?.Contains("EndInvokeDotNet", StringComparison.Ordinal) == true || frame.Text?.Contains("Error", StringComparison.Ordinal) == true)
                {
                    Note($"circuit answered: {Clip(frame.Text)}");
                }
            };
            socket.Close += (_, _) => Note($"websocket closed: {socket.Url}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) && !IsEventForRemovedElement(message.Text))
            {
                journey.Problems.Enqueue(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                journey.Problems.Enqueue($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        page.PageError += (_, error) => journey.Problems.Enqueue(error);
        return journey;
    }

    private static string Clip(string text) => text.Length <= 400 ? text : text[..400] + "…";

    /// <summary>
    /// Blazor Server's answer to a browser event whose element a render on the server had already removed (a key
    /// released after Enter navigated, a click racing a live update): the event is dropped and the circuit carries on,
    /// nothing the visitor sees. Development's detailed errors name it; any other exception is still a problem.
    /// </summary>
    private static bool IsEventForRemovedElement(string text) =>
        text.Contains("There is no event handler associated with this event", StringComparison.Ordinal);

    /// <summary>Signs in from the storefront's app bar through Identity's page and comes back to the storefront.</summary>
    public async Task SignInAsync(string email)
    {
        await page.GotoAsync(web + "/");
        await page.GetByTestId("sign-in").ClickAsync();
        await SignInAtIdentityAsync(email);
        await ArrivedAtAsync(web + "/");
        await page.GetByTestId("user-role").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await WaitForCircuitAsync();
    }

    /// <summary>Fills in Identity's sign-in page (where a sign-in link led), photographing it first when asked.</summary>
    public async Task SignInAtIdentityAsync(string email, string? screenshot = null)
    {
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        if (screenshot is not null)
        {
            await ScreenshotAsync(screenshot);
        }
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("Pass123$");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>
    /// Waits until the address bar shows <paramref name="url"/>, by polling the page's address. WaitForURLAsync waits for
    /// a navigation event and then the page's load event instead: in one run the merchant's sign-in had landed on the
    /// storefront, signed in, two seconds into the wait, and the wait still ran out after thirty.
    /// </summary>
    public Task ArrivedAtAsync(string url) => Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 30_000 });

    /// <inheritdoc cref="ArrivedAtAsync(string)"/>
    public Task ArrivedAtAsync(System.Text.RegularExpressions.Regex url) => Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 30_000 });

    /// <summary>Waits until the page is interactive (Blazor's circuit is up), so clicks reach the server.</summary>
    public Task WaitForCircuitAsync() => page.Locator(".mud-layout[data-interactive='true']").WaitForAsync();

    public async Task GoAsync(string path)
    {
        await page.GotoAsync(web + path);
        await WaitForCircuitAsync();
    }

    /// <summary>Types into the visible search box (the app bar's on wide screens, the one under it on phones) and presses Enter.</summary>
    public async Task SearchAsync(string text)
    {
        await WaitForCircuitAsync();
        var box = page.Locator(".search-box input:visible").First;
        await box.FillAsync(text);
        // The typed text reaches the server as it is typed; give it the moment before Enter does.
        await page.WaitForTimeoutAsync(400);
        await box.PressAsync("Enter");
        await ArrivedAtAsync(new System.Text.RegularExpressions.Regex("/search\\?q="));
        // The results page has rendered its answer (the URL changes a moment before the page does).
        await Assertions.Expect(page.GetByTestId("result-count")).ToContainTextAsync("product");
    }

    public async Task ScreenshotAsync(string name, int width = Desktop)
    {
        if (page.ViewportSize?.Width != width)
        {
            await page.SetViewportSizeAsync(width, width == Phone ? 844 : 900);
            await page.WaitForTimeoutAsync(300); // the layout settles (drawer, grids)
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    /// <summary>Runs a journey; on failure the page as it stood is kept beside the other screenshots.</summary>
    public static async Task RunAsync(BrowserFixture browser, MarketplaceAppFixture app, string name, Func<JourneyPage, Task> journey)
    {
        await using var tab = await OpenAsync(browser, app);
        try
        {
            await journey(tab);
        }
        catch
        {
            await tab.ScreenshotAsync(name + "-FAILED", tab.Page.ViewportSize?.Width ?? Desktop);
            await File.WriteAllLinesAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, name + "-FAILED.log"), tab.Log);
            throw;
        }
        if (!tab.Problems.IsEmpty || Environment.GetEnvironmentVariable("MARKETPLACE_JOURNEY_LOGS") == "always")
        {
            await File.WriteAllLinesAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, name + "-PROBLEMS.log"), tab.Log);
        }
        Assert.True(tab.Problems.IsEmpty, "The browser reported problems:" + Environment.NewLine + string.Join(Environment.NewLine, tab.Problems));
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
