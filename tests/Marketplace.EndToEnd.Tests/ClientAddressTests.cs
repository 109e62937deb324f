using System.Diagnostics;
using System.Net;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// The gateway limits anonymous callers by the client's real address: each storefront visitor has a bucket of
/// their own (the web app passes the visitor's address on, proven by the proxy key), a 429 reaches the visitor at
/// once in words, and an address forwarded by anyone else is not believed.
/// </summary>
public sealed class ClientAddressTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A visitor of the storefront behind the trusted edge the tests play (ClientAddress:WebTrustedProxies).</summary>
    private HttpClient Visitor(string address)
    {
        var client = fixture.CreateRawClient("web");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    [Fact]
    public async Task Storefront_visitors_are_limited_one_by_one_and_told_at_once_when_busy()
    {
        using var greedy = Visitor("198.51.100.7");
        string page = "";
        var busyAfter = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 1; i <= MarketplaceAppFixture.AnonymousPermits + 100 && busyAfter == 0; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            page = await greedy.GetStringAsync("/search?q=headphones", Ct);
            slowest = stopwatch.Elapsed > slowest ? stopwatch.Elapsed : slowest;
            if (page.Contains("The shop is busy right now", StringComparison.Ordinal))
            {
                busyAfter = i;
            }
        }
        Assert.True(busyAfter > 0, $"{MarketplaceAppFixture.AnonymousPermits + 100} searches by one visitor were never limited");
        Assert.Matches(@"try again in \d+ s\.", page);
        // Told at once, not after half a minute of retries.
        Assert.True(slowest < TimeSpan.FromSeconds(10), $"a search page took {slowest}");

        using var other = Visitor("198.51.100.8");
        var otherPage = await other.GetStringAsync("/search?q=headphones", Ct);
        Assert.DoesNotContain("The shop is busy right now", otherPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"error\"", otherPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_forwarded_by_a_client_is_not_believed()
    {
        var account = await fixture.NewShopperAsync("Sam Spoofer");
        using var gateway = fixture.CreateRawClient("gateway");
        const string spoofed = "203.0.113.99";
        for (var i = 0; i < 5; i++)
        {
            using var request = Grant(account, $"Wrong{i}pass$");
            request.Headers.Add("X-Forwarded-For", spoofed);
            request.Headers.Add(Microsoft.Extensions.Hosting.ClientAddress.VisitorHeader, spoofed);
            request.Headers.Add(Microsoft.Extensions.Hosting.ClientAddress.ProxyKeyHeader, "guessed-key");
            using var wrong = await gateway.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        // The failures counted against the caller's real address: the right password from there is refused now…
        using (var fromCaller = await gateway.SendAsync(Grant(account, "Pass123$"), Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, fromCaller.StatusCode);
        }
        // …while the address it claimed was never charged.
        using var identity = fixture.CreateRawClient("identity");
        using var fromSpoofed = Grant(account, "Pass123$");
        fixture.ActFor(fromSpoofed.Headers, spoofed);
        using var granted = await identity.SendAsync(fromSpoofed, Ct);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
    }

    private static HttpRequestMessage Grant(string user, string password) => new(HttpMethod.Post, "/connect/token")
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "marketplace-dev", ["scope"] = "openid",
            ["username"] = user, ["password"] = password,
        }),
    };
}
