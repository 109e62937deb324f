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
    }

    [Fact]
    public async Task Identity_reached_directly_still_names_the_gateway_as_issuer()
    {
        using var gateway = fixture.CreateClient("gateway");
        using var identity = fixture.CreateClient("identity");

        var document = await identity.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", Ct);

        Assert.Equal(gateway.BaseAddress!.GetLeftPart(UriPartial.Authority).TrimEnd('/'), document.GetProperty("issuer").GetString()!.TrimEnd('/'));
    }
}
