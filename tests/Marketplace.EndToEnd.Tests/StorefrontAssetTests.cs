using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Marketplace.EndToEnd.Tests;

/// <summary>What a CDN in front of the web app gets: fingerprinted asset names, compressed bodies, a year's caching, no font host.</summary>
public sealed partial class StorefrontAssetTests(MarketplaceAppFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_name_fingerprinted_assets_that_are_served_compressed_and_cached_for_a_year()
    {
        using var web = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = app.App.GetEndpoint("web", "http") };
        var html = await web.GetStringAsync("/", Ct);

        Assert.DoesNotContain("fonts.googleapis.com", html);
        Assert.DoesNotContain("fonts.gstatic.com", html);
        var css = FingerprintedCss().Match(html);
        Assert.True(css.Success, "the page names app.css by its fingerprinted name: " + html[..Math.Min(html.Length, 2000)]);
        var font = FingerprintedFont().Match(html);
        Assert.True(font.Success, "the page names its font by its fingerprinted name");

        foreach (var path in new[] { css.Groups[1].Value, font.Groups[1].Value })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/" + path);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            using var response = await web.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var cacheControl = response.Headers.CacheControl?.ToString() ?? "";
            Assert.Contains("max-age=31536000", cacheControl);
            Assert.Contains("immutable", cacheControl);
            if (path.EndsWith(".css", StringComparison.Ordinal))
            {
                Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
            }
        }
    }

    [GeneratedRegex("href=\"(app\\.[a-z0-9]+\\.css)\"")]
    private static partial Regex FingerprintedCss();

    [GeneratedRegex("(fonts/roboto-regular\\.[a-z0-9]+\\.woff2)")]
    private static partial Regex FingerprintedFont();
}
