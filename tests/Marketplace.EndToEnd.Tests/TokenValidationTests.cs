using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

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

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
