using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// A browser-like visitor of Identity's account pages: keeps cookies, reads each form's antiforgery token, and
/// posts what it is told to. Through the gateway by default; straight to Identity with <paramref name="clientAddress"/>
/// to stand for a visitor at that address (told the way the gateway tells it: with the shared proxy key).
/// </summary>
public sealed partial class AccountForms : IDisposable
{
    private readonly HttpClient _client;

    public AccountForms(MarketplaceAppFixture fixture, string? clientAddress = null)
    {
        Cookies = new CookieContainer();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies };
        _client = new HttpClient(handler) { BaseAddress = fixture.App.GetEndpoint(clientAddress is null ? "gateway" : "identity", "http") };
        if (clientAddress is not null)
        {
            fixture.ActFor(_client.DefaultRequestHeaders, clientAddress);
        }
    }

    public CookieContainer Cookies { get; }

    public HttpClient Client => _client;

    /// <summary>Opens the page and returns the antiforgery token of its form.</summary>
    public async Task<string> TokenAsync(string path)
    {
        var page = await _client.GetStringAsync(path);
        return AntiforgeryToken().Match(page).Groups[1].Value;
    }

    /// <summary>Posts the fields URL-encoded, after the page's own antiforgery token.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields)
    {
        var token = await TokenAsync(path);
        return await _client.PostAsync(path, new FormUrlEncodedContent([new("__RequestVerificationToken", token), .. fields.Select(f => KeyValuePair.Create(f.Name, f.Value))]));
    }

    /// <summary>Posts a body exactly as given (already encoded), with the page's antiforgery cookie but only the token the body holds.</summary>
    public async Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType)
    {
        await TokenAsync(path);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await _client.PostAsync(path, content);
    }

    public static async Task<string> SignInPageMessageAsync(HttpResponseMessage response)
    {
        var page = await response.Content.ReadAsStringAsync();
        return ValidationSummary().Match(page).Groups[1].Value;
    }

    /// <summary>Whether the answer signs someone in at Identity (sets its session cookie).</summary>
    public static bool SignsIn(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("mp.identity=", StringComparison.Ordinal));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    public static partial Regex AntiforgeryToken();

    [GeneratedRegex("validation-summary-errors[^>]*><ul><li>([^<]*)</li>")]
    private static partial Regex ValidationSummary();

    public void Dispose() => _client.Dispose();
}
