using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Tokens from the Identity service, requested through the Gateway as any client would.</summary>
public sealed class IdentityTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<HttpResponseMessage> PasswordGrantAsync(string user, string password) =>
        fixture.PasswordGrantAsync(user, password, "openid profile email roles ordering catalog");

    private static JsonElement Payload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + (4 - part.Length % 4) % 4, '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(part))).RootElement;
    }

    private static IEnumerable<string> Values(JsonElement payload, string claim) =>
        payload.TryGetProperty(claim, out var value)
            ? value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!) : [value.GetString()!]
            : [];

    [Fact]
    public async Task Shopper_gets_a_signed_token_with_role_and_the_audiences_of_the_requested_scopes()
    {
        using var response = await PasswordGrantAsync("shopper@marketplace.test", "Pass123$");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var jwt = body.GetProperty("access_token").GetString()!;
        Assert.Equal(3, jwt.Split('.').Length); // signed, not encrypted
        var payload = Payload(jwt);
        Assert.Equal(["shopper"], Values(payload, "role"));
        Assert.Equal(["catalog", "ordering"], Values(payload, "aud").Order());
        Assert.Equal("shopper@marketplace.test", payload.GetProperty("email").GetString());
        Assert.False(payload.TryGetProperty("merchant_id", out _));
    }

    [Fact]
    public async Task Merchant_token_carries_its_merchant_id()
    {
        using var response = await PasswordGrantAsync("merchant2@marketplace.test", "Pass123$");

        var payload = Payload((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!);
        Assert.Equal(["merchant"], Values(payload, "role"));
        Assert.Equal("5a0f3c1e-0000-4000-8000-000000000002", payload.GetProperty("merchant_id").GetString());
    }

    [Fact]
    public async Task Issuer_is_the_public_gateway_address()
    {
        using var gateway = fixture.CreateClient("gateway");
        using var response = await PasswordGrantAsync("admin@marketplace.test", "Pass123$");

        var payload = Payload((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!);
        Assert.Equal(gateway.BaseAddress!.GetLeftPart(UriPartial.Authority).TrimEnd('/'), payload.GetProperty("iss").GetString()!.TrimEnd('/'));
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_invalid_grant()
    {
        using var response = await PasswordGrantAsync("shopper2@marketplace.test", "not-the-password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task Unknown_client_gets_no_token()
    {
        using var response = await fixture.PasswordGrantAsync("shopper@marketplace.test", "Pass123$", "openid", clientId: "no-such-client");

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Discovery_document_is_served_through_the_gateway()
    {
        using var gateway = fixture.CreateClient("gateway");

        var document = await gateway.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", Ct);

        Assert.EndsWith("/connect/token", document.GetProperty("token_endpoint").GetString());
        Assert.Contains("password", document.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()));
        Assert.Contains("authorization_code", document.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(["S256"], document.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(g => g.GetString()));
        Assert.EndsWith("/connect/endsession", document.GetProperty("end_session_endpoint").GetString());
    }

    [Fact]
    public async Task Identity_reached_directly_still_names_the_gateway_as_issuer()
    {
        using var gateway = fixture.CreateClient("gateway");
        using var identity = fixture.CreateClient("identity");

        var document = await identity.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", Ct);

        Assert.Equal(gateway.BaseAddress!.GetLeftPart(UriPartial.Authority).TrimEnd('/'), document.GetProperty("issuer").GetString()!.TrimEnd('/'));
    }

    private async Task<HttpResponseMessage> TokenRequestAsync(Dictionary<string, string> form)
    {
        using var gateway = fixture.CreateRawClient("gateway");
        return await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form), Ct);
    }

    [Fact]
    public async Task A_refresh_token_gets_a_fresh_access_token_for_the_same_account()
    {
        using var first = await fixture.PasswordGrantAsync("shopper2@marketplace.test", "Pass123$", "openid roles offline_access users");
        var issued = await first.Content.ReadFromJsonAsync<JsonElement>(Ct);

        using var refreshed = await TokenRequestAsync(new()
        {
            ["grant_type"] = "refresh_token", ["client_id"] = "marketplace-dev",
            ["refresh_token"] = issued.GetProperty("refresh_token").GetString()!,
        });

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var renewed = Payload((await refreshed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!);
        var original = Payload(issued.GetProperty("access_token").GetString()!);
        Assert.Equal(original.GetProperty("sub").GetString(), renewed.GetProperty("sub").GetString());
        Assert.Equal(["users"], Values(renewed, "aud"));
        Assert.Equal(["shopper"], Values(renewed, "role"));
    }

    [Fact]
    public async Task The_web_client_may_not_use_the_password_grant()
    {
        using var response = await TokenRequestAsync(new()
        {
            ["grant_type"] = "password", ["client_id"] = "marketplace-web", ["client_secret"] = fixture.Secret("marketplace-web-client-secret"),
            ["username"] = "shopper@marketplace.test", ["password"] = "Pass123$", ["scope"] = "openid",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unauthorized_client", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_service_token_names_the_service_and_carries_only_the_service_role()
    {
        using var response = await TokenRequestAsync(new()
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "ordering",
            ["client_secret"] = fixture.Secret("ordering-client-secret"), ["scope"] = "catalog inventory",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = Payload((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!);
        Assert.Equal("ordering", payload.GetProperty("sub").GetString());
        Assert.Equal(["service"], Values(payload, "role"));
        Assert.Equal(["catalog", "inventory"], Values(payload, "aud").Order());
        Assert.False(payload.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task A_wrong_client_secret_gets_no_service_token()
    {
        using var response = await TokenRequestAsync(new()
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "ordering", ["client_secret"] = "guessed", ["scope"] = "catalog",
        });

        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());
    }

    private string WebRedirectUri => new Uri(fixture.App.GetEndpoint("web", "http"), "/signin-oidc").ToString();

    private async Task<HttpResponseMessage> AuthorizeAsync(string query)
    {
        using var gateway = fixture.CreateClientWithoutRedirects("gateway");
        return await gateway.GetAsync("/connect/authorize?" + query, Ct);
    }

    [Fact]
    public async Task Ending_a_session_without_an_id_token_hint_asks_the_user_first()
    {
        using var gateway = fixture.CreateClientWithoutRedirects("gateway");

        using var response = await gateway.GetAsync("/connect/endsession", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/signout", new Uri(fixture.App.GetEndpoint("gateway", "http"), response.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task An_authorization_request_without_pkce_is_refused()
    {
        using var response = await AuthorizeAsync(
            $"client_id=marketplace-web&response_type=code&scope=openid&state=s1&redirect_uri={Uri.EscapeDataString(WebRedirectUri)}");

        // Refused before any sign-in page is shown or any code issued.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("code_challenge", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_authorization_request_for_an_unregistered_redirect_uri_is_refused_at_identity()
    {
        using var response = await AuthorizeAsync(
            "client_id=marketplace-web&response_type=code&scope=openid&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" +
            "&code_challenge_method=S256&redirect_uri=" + Uri.EscapeDataString("http://evil.example/signin-oidc"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_valid_authorization_request_from_a_stranger_goes_to_the_sign_in_page()
    {
        using var response = await AuthorizeAsync(
            "client_id=marketplace-web&response_type=code&scope=openid%20roles&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" +
            $"&code_challenge_method=S256&redirect_uri={Uri.EscapeDataString(WebRedirectUri)}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/signin", new Uri(fixture.App.GetEndpoint("gateway", "http"), response.Headers.Location!).AbsolutePath);
        Assert.Contains(Uri.EscapeDataString("/connect/authorize?"), response.Headers.Location!.Query);
    }
}
