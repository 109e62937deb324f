using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Internal endpoints take only client-credentials tokens of our services, got and attached by the
/// same delegating handler the services use, and are not reachable through the gateway.
/// </summary>
public sealed class InternalEndpointTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An HttpClient to the users service carrying <paramref name="clientId"/>'s service token, built as a service builds it.</summary>
    private ServiceProvider ServiceClient(string clientId, string scopes, out HttpClient users)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Identity:Authority"] = fixture.App.GetEndpoint("identity", "http").ToString(),
                ["ServiceAuth:ClientId"] = clientId,
                ["ServiceAuth:ClientSecret"] = fixture.Secret($"{clientId}-client-secret"),
                ["ServiceAuth:Scopes"] = scopes,
            }).Build());
        services.AddHttpClient("users", c => c.BaseAddress = fixture.App.GetEndpoint("users", "http")).AddServiceToken();
        var provider = services.BuildServiceProvider();
        users = provider.GetRequiredService<IHttpClientFactory>().CreateClient("users");
        return provider;
    }

    private async Task<Guid> ShopperIdAsync()
    {
        using var client = await fixture.ClientForAsync("shopper@marketplace.test");
        return (await MarketplaceAppFixture.ProfileEventuallyAsync(client, Ct)).GetProperty("userId").GetGuid();
    }

    [Fact]
    public async Task A_service_token_with_the_users_scope_reads_a_contact()
    {
        var id = await ShopperIdAsync();
        using var provider = ServiceClient("notification", "users", out var users);

        using var response = await users.GetAsync($"/internal/users/{id}/contact", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contact = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("shopper@marketplace.test", contact.GetProperty("email").GetString());
        Assert.True(contact.GetProperty("emailPreferences").GetProperty("order-confirmed").GetBoolean());
    }

    [Fact]
    public async Task The_handler_reuses_its_token_until_it_nears_expiry()
    {
        using var provider = ServiceClient("notification", "users", out _);
        var tokens = provider.GetRequiredService<ServiceTokenClient>();

        var first = await tokens.GetTokenAsync(Ct);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => tokens.GetTokenAsync(Ct).AsTask()));

        Assert.All(concurrent, t => Assert.Equal(first, t));
        tokens.Invalidate();
        Assert.NotEqual(first, await tokens.GetTokenAsync(Ct));
    }

    [Fact]
    public async Task A_service_without_the_users_scope_is_refused()
    {
        var id = await ShopperIdAsync();
        // Search's client may call Catalog and Inventory only: its token names no users audience.
        using var provider = ServiceClient("search", "catalog inventory", out var users);

        using var response = await users.GetAsync($"/internal/users/{id}/contact", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_service_cannot_ask_for_a_scope_it_was_not_granted()
    {
        using var provider = ServiceClient("search", "users", out _);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () => await provider.GetRequiredService<ServiceTokenClient>().GetTokenAsync(Ct));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Theory]
    [InlineData("admin@marketplace.test")]
    [InlineData("shopper@marketplace.test")]
    public async Task A_user_token_even_an_admins_is_forbidden(string account)
    {
        var id = await ShopperIdAsync();
        using var users = fixture.CreateRawClient("users");
        users.DefaultRequestHeaders.Authorization = new("Bearer", await fixture.TokenAsync(account));

        using var response = await users.GetAsync($"/internal/users/{id}/contact", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_it_is_401()
    {
        using var users = fixture.CreateRawClient("users");

        using var response = await users.GetAsync($"/internal/users/{Guid.NewGuid()}/contact", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_gateway_does_not_route_internal_paths()
    {
        var id = await ShopperIdAsync();
        using var provider = ServiceClient("notification", "users", out _);
        using var gateway = fixture.CreateRawClient("gateway");
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", await provider.GetRequiredService<ServiceTokenClient>().GetTokenAsync(Ct));

        using var response = await gateway.GetAsync($"/internal/users/{id}/contact", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
