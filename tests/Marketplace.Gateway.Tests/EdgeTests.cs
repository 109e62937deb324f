using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.Gateway.Tests;

/// <summary>What the edge lets through, to whom, and what it says about the client on the way.</summary>
public sealed class EdgeTests(Edge edge)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Marker() => Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData("/api/orders/{0}", "ordering")]
    [InlineData("/api/cart/{0}", "ordering")]
    [InlineData("/api/merchant/orders/{0}", "ordering")]
    [InlineData("/api/inventory/{0}", "inventory")]
    [InlineData("/api/users/{0}", "users")]
    [InlineData("/api/notifications/{0}", "notification")]
    [InlineData("/api/catalog/products/{0}", "catalog")]
    [InlineData("/api/search/products?q={0}", "search")]
    [InlineData("/connect/{0}", "identity")]
    public async Task Each_public_path_reaches_the_service_that_owns_it(string template, string service)
    {
        var marker = Marker();
        using var client = edge.Gateway.ClientFor(Guid.NewGuid());

        var answer = await client.GetFromJsonAsync<JsonElement>(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, marker), Ct);

        Assert.Equal(service, answer.GetProperty("service").GetString());
        Assert.Equal(service, Assert.Single(edge.Backends.For(marker)).Service);
    }

    [Theory]
    [InlineData("/api/orders/{0}")]
    [InlineData("/api/users/me?x={0}")]
    [InlineData("/api/inventory/{0}")]
    [InlineData("/api/notifications/{0}")]
    public async Task A_protected_path_without_a_valid_token_is_refused_at_the_edge_and_never_reaches_a_service(string template)
    {
        var marker = Marker();
        using var anonymous = edge.Gateway.Anonymous();
        using var forged = edge.Gateway.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, marker);

        using var withoutToken = await anonymous.GetAsync(path, Ct);
        using var withForgedToken = await forged.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withForgedToken.StatusCode);
        Assert.Empty(edge.Backends.For(marker));
    }

    [Theory]
    [InlineData("/internal/users/{0}/contact")]
    [InlineData("/internal/catalog/skus?sku={0}")]
    [InlineData("/internal/inventory/holds/{0}")]
    public async Task Internal_paths_are_not_routed_to_anyone(string template)
    {
        var marker = Marker();
        using var client = edge.Gateway.ClientFor(Guid.NewGuid());

        using var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, marker), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(edge.Backends.For(marker));
    }

    [Fact]
    public async Task A_client_cannot_forge_its_address_the_service_gets_the_edges_word_for_it()
    {
        var marker = Marker();
        using var client = edge.Gateway.ClientFor(Guid.NewGuid());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{marker}");
        request.Headers.TryAddWithoutValidation("X-Marketplace-Client-Address", "203.0.113.7");
        request.Headers.TryAddWithoutValidation("X-Marketplace-Proxy-Key", "a guess");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.9");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(edge.Backends.For(marker));
        Assert.Equal("127.0.0.1", received.Headers["X-Marketplace-Client-Address"]); // the real peer, not the client's claim
        Assert.Equal(GatewayApp.ProxyKey, received.Headers["X-Marketplace-Proxy-Key"]);
    }

    [Fact]
    public async Task Placing_orders_is_limited_per_user_with_a_problem_and_Retry_After_and_other_users_are_not_held_up()
    {
        using var eager = edge.Gateway.ClientFor(Guid.NewGuid());
        using var other = edge.Gateway.ClientFor(Guid.NewGuid());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= Edge.OrderPermits; i++)
        {
            using var placed = await eager.PostAsJsonAsync("/api/orders", new { attempt = i }, Ct);
            statuses.Add(placed.StatusCode);
            if (placed.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", placed.Content.Headers.ContentType?.MediaType);
                Assert.Equal("Too many requests", (await placed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());
                Assert.True(placed.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }
        using var othersFirst = await other.PostAsJsonAsync("/api/orders", new { attempt = 0 }, Ct);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, Edge.OrderPermits), HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, othersFirst.StatusCode);
    }

    [Fact]
    public async Task An_anonymous_caller_is_limited_by_address_and_a_body_over_the_limit_is_refused_before_any_service()
    {
        await using var strict = new GatewayApp(edge.Backends, new()
        {
            ["Gateway:RateLimits:PerAddressPermits"] = "3",
            ["Gateway:MaxRequestBodyBytes"] = "1024",
        });
        var marker = Marker();
        using var anonymous = strict.Anonymous();
        using var signedIn = strict.ClientFor(Guid.NewGuid(), audience: "catalog");

        using var oversized = await signedIn.PostAsync($"/api/catalog/products?m={marker}", new StringContent(new string('x', 4096), System.Text.Encoding.UTF8, "application/json"), Ct);
        var anonymousStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await anonymous.GetAsync($"/api/search/products?q={marker}", Ct);
            anonymousStatuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal("application/problem+json", oversized.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(edge.Backends.For(marker), r => r.Method == "POST");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], anonymousStatuses);
    }
}
