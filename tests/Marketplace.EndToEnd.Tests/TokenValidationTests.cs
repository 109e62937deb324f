using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Marketplace.EndToEnd.Tests;

/// <summary>A service validates tokens itself: its own audience, Identity's signature, no unsigned tokens.</summary>
public sealed class TokenValidationTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<string> TokenAsync(string user, string scope) => fixture.TokenAsync(user, scope);

    private async Task<HttpResponseMessage> MeAsync(string? token)
    {
        using var gateway = fixture.CreateClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await gateway.SendAsync(request, Ct);
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task Token_for_the_service_audience_is_accepted()
    {
        using var response = await MeAsync(await TokenAsync("shopper@marketplace.test", "openid profile email roles users"));

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"got {(int)response.StatusCode}");
    }

    [Fact]
    public async Task No_token_is_401()
    {
        using var response = await MeAsync(null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Token_for_another_audience_is_401()
    {
        using var response = await MeAsync(await TokenAsync("shopper@marketplace.test", "openid roles catalog"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Tampered_payload_is_401()
    {
        var parts = (await TokenAsync("shopper@marketplace.test", "openid roles users")).Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1])));
        var forged = payload.Replace("\"shopper\"", "\"admin\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, forged);

        using var response = await MeAsync($"{parts[0]}.{Base64Url(forged)}.{parts[2]}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Unsigned_alg_none_token_is_401()
    {
        var parts = (await TokenAsync("shopper@marketplace.test", "openid roles users")).Split('.');

        using var response = await MeAsync($"{Base64Url("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{parts[1]}.");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>
    /// Re-signs a real token's (changed) payload with Identity's own Development signing key, read from
    /// this user's certificate store where OpenIddict keeps it: the signature is genuine, so a refusal
    /// can only come from the claim that was changed.
    /// </summary>
    private static string Resign(string token, Action<JsonObject> change)
    {
        var parts = token.Split('.');
        var kid = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[0]))))!["kid"]!.GetValue<string>();
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1]))))!.AsObject();
        change(payload);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly);
        using var certificate = store.Certificates.Single(c => string.Equals(c.Thumbprint, kid, StringComparison.OrdinalIgnoreCase));
        using var rsa = certificate.GetRSAPrivateKey()!;
        var signingInput = $"{parts[0]}.{Base64Url(payload.ToJsonString())}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
    }

    [Fact]
    public async Task A_re_signed_unchanged_token_is_accepted()
    {
        var token = Resign(await TokenAsync("shopper@marketplace.test", "openid roles users"), _ => { });

        using var response = await MeAsync(token);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"got {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = Resign(await TokenAsync("shopper@marketplace.test", "openid roles users"), payload =>
        {
            // Past the 30 s clock skew the services allow.
            payload["iat"] = now - 3_700;
            payload["nbf"] = now - 3_700;
            payload["exp"] = now - 100;
        });

        using var response = await MeAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Token_from_another_issuer_is_401()
    {
        var token = Resign(await TokenAsync("shopper@marketplace.test", "openid roles users"), payload => payload["iss"] = "http://evil.example/");

        using var response = await MeAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
