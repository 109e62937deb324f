using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

public sealed class SystemTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_resource_reports_healthy()
    {
        var instances = MarketplaceAppFixture.Infrastructure.Concat(MarketplaceAppFixture.Services).SelectMany(fixture.Instances).ToList();
        Assert.Equal(2, instances.Count(i => i.StartsWith("catalog-", StringComparison.Ordinal)));
        Assert.Equal(MarketplaceAppFixture.Infrastructure.Length + MarketplaceAppFixture.Services.Length + 1, instances.Count);
        Assert.All(instances, instance => Assert.True(fixture.IsHealthy(instance), $"{instance} is not healthy"));
    }

    [Theory]
    [InlineData("/api/catalog/products", "Marketplace.Catalog")]
    [InlineData("/api/search?q=phone", "Marketplace.Search")]
    [InlineData("/api/cart", "Marketplace.Ordering")]
    [InlineData("/api/orders", "Marketplace.Ordering")]
    [InlineData("/api/merchant/orders", "Marketplace.Ordering")]
    [InlineData("/api/inventory/ACM-000001", "Marketplace.Inventory")]
    [InlineData("/api/users/me", "Marketplace.Users")]
    [InlineData("/api/notifications", "Marketplace.Notification")]
    [InlineData("/api/payments", "Marketplace.Payment")]
    [InlineData("/.well-known/openid-configuration", "Marketplace.Identity")]
    public async Task Gateway_routes_each_path_to_its_service(string path, string service)
    {
        using var gateway = fixture.CreateClient("gateway");
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.TokenAsync("admin@marketplace.test"));

        using var response = await gateway.GetAsync(path, Ct);

        Assert.True((int)response.StatusCode < 500, $"{path} answered {(int)response.StatusCode}");
        Assert.Equal(service, Assert.Single(response.Headers.GetValues("X-Served-By")));
    }

    [Fact]
    public async Task Catalog_lists_seeded_products_through_the_gateway()
    {
        using var gateway = fixture.CreateClient("gateway");

        var page = await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/products?pageSize=5", Ct);

        Assert.Equal(5, page.GetProperty("items").GetArrayLength());
        Assert.True(page.GetProperty("total").GetInt64() >= 5);
    }

    [Fact]
    public async Task Bad_paging_gets_a_problem_response_naming_the_field()
    {
        using var gateway = fixture.CreateClient("gateway");

        using var response = await gateway.GetAsync("/api/catalog/products?pageSize=5000", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("pageSize", out _));
    }

    [Fact]
    public async Task Correlation_id_is_echoed_through_the_gateway()
    {
        using var gateway = fixture.CreateClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/catalog/products?pageSize=1");
        request.Headers.Add("X-Correlation-Id", "e2e-correlation-42");

        using var response = await gateway.SendAsync(request, Ct);

        Assert.Equal("e2e-correlation-42", Assert.Single(response.Headers.GetValues("X-Correlation-Id")));
    }

    [Fact]
    public async Task Catalog_events_reach_the_search_index()
    {
        using var gateway = fixture.CreateClient("gateway");
        var first = (await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/products?pageSize=1", Ct)).GetProperty("items")[0];
        var title = first.GetProperty("title").GetString()!;
        var id = first.GetProperty("id").GetGuid();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var result = await gateway.GetFromJsonAsync<JsonElement>($"/api/search?q={Uri.EscapeDataString(title)}", Ct);
            if (result.GetProperty("hits").EnumerateArray().Any(h => h.GetProperty("productId").GetGuid() == id))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"'{title}' not searchable within 60 s");
            await Task.Delay(500, Ct);
        }
    }

    [Fact]
    public async Task Storefront_home_renders_products_from_the_catalog()
    {
        using var gateway = fixture.CreateClient("gateway");
        // The home page features the newest products in stock, as search finds them.
        async Task<List<string>> FirstPageAsync() => (await gateway.GetFromJsonAsync<JsonElement>("/api/search?inStock=true&sort=newest&pageSize=8", Ct))
            .GetProperty("hits").EnumerateArray().Select(p => p.GetProperty("title").GetString()!).ToList();
        using var web = fixture.CreateClient("web");

        // Other tests publish products meanwhile (the newest come first): what was on the first page both
        // before and after the page was rendered must be on it. A burst of new products can leave nothing
        // steady; then the page is looked at again.
        string html;
        List<string> steady;
        var tries = 0;
        do
        {
            var before = await FirstPageAsync();
            html = WebUtility.HtmlDecode(await web.GetStringAsync("/", Ct));
            steady = [.. before.Intersect(await FirstPageAsync())];
        }
        while (steady.Count == 0 && ++tries < 5);
        Assert.Contains("Marketplace", html);
        Assert.NotEmpty(steady);
        Assert.All(steady, title => Assert.Contains(title, html));
    }

    [Fact]
    public async Task Merchant_console_sends_an_anonymous_visitor_to_sign_in_with_pkce()
    {
        using var web = fixture.CreateClientWithoutRedirects("web");

        using var response = await web.GetAsync("/admin", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(new Uri(fixture.App.GetEndpoint("gateway", "http"), "/connect/authorize").ToString(), location.GetLeftPart(UriPartial.Path));
        Assert.Contains("code_challenge_method=S256", location.Query);
        Assert.Contains("response_type=code", location.Query);
        Assert.DoesNotContain("Merchant console", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("/api/cart")]
    [InlineData("/api/orders")]
    [InlineData("/api/merchant/orders")]
    [InlineData("/api/inventory/ACM-000001")]
    [InlineData("/api/users/me")]
    [InlineData("/api/notifications")]
    public async Task Gateway_refuses_protected_paths_without_a_token_before_any_service_sees_them(string path)
    {
        using var gateway = fixture.CreateClient("gateway");

        using var response = await gateway.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Marketplace.Gateway", Assert.Single(response.Headers.GetValues("X-Served-By")));
    }

    [Fact]
    public async Task Catalog_writes_need_a_token_at_the_gateway()
    {
        using var gateway = fixture.CreateClient("gateway");

        using var response = await gateway.PostAsJsonAsync("/api/catalog/products", new { title = "x" }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Noisy_client_gets_429_with_retry_after_while_another_client_keeps_going()
    {
        using var noisy = fixture.CreateRawClient("gateway");
        // An account of its own: the shared ones place orders in other tests running at the same time.
        noisy.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.TokenAsync(await fixture.NewShopperAsync("Noisy Shopper")));
        using var quiet = fixture.CreateRawClient("gateway");
        quiet.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.TokenAsync("shopper2@marketplace.test"));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < MarketplaceAppFixture.OrderPermits + 5 && refused is null; i++)
        {
            var response = await noisy.PostAsJsonAsync("/api/orders", new { }, Ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))) > 0);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.True(statuses.Count > 1, "the first order request must not be refused");
        using var other = await quiet.PostAsJsonAsync("/api/orders", new { }, Ct);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
        using var browse = await noisy.GetAsync("/api/catalog/products?pageSize=1", Ct);
        Assert.Equal(HttpStatusCode.OK, browse.StatusCode); // the stricter limit is for placing orders only
    }

    [Fact]
    public async Task Web_responses_carry_security_headers()
    {
        using var web = fixture.CreateClient("web");

        using var response = await web.GetAsync("/", Ct);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("form-action 'self' " + fixture.App.GetEndpoint("gateway", "http").GetLeftPart(UriPartial.Authority), csp);
    }
}
