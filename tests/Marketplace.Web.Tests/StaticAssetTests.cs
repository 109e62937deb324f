using Marketplace.Web.Components;
using Marketplace.Web.Services;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Tests;

/// <summary>Storefront:CdnBaseUrl: when set, stylesheets, fonts, scripts and product images come from the CDN, and the CSP allows it.</summary>
public sealed class StaticAssetTests
{
    private sealed class Context(string? cdn) : WebTestContext(cdnBaseUrl: cdn);

    private static List<string> AssetUrls(BunitContext context)
    {
        var head = context.Render<AppHead>();
        var scripts = context.Render<AppScripts>();
        return [
            .. head.FindAll("link[href]").Select(l => l.GetAttribute("href")!),
            .. scripts.FindAll("script[src]").Select(s => s.GetAttribute("src")!),
            .. System.Text.RegularExpressions.Regex.Matches(head.Find("style").TextContent, "url\\(\"([^\"]+)\"\\)").Select(m => m.Groups[1].Value),
        ];
    }

    [Fact]
    public void Without_a_cdn_assets_are_served_by_the_app_itself()
    {
        using var context = new Context(null);
        var urls = AssetUrls(context);

        Assert.Contains("app.css", urls);
        Assert.Contains("_framework/blazor.web.js", urls);
        Assert.Contains("fonts/roboto-regular.woff2", urls);
        Assert.All(urls, u => Assert.False(Uri.IsWellFormedUriString(u, UriKind.Absolute), $"{u} should be served by the app"));
    }

    [Fact]
    public void With_a_cdn_every_asset_comes_from_it_and_no_font_host_is_named()
    {
        using var context = new Context("https://cdn.example.com/shop");
        var urls = AssetUrls(context);

        Assert.Equal(9, urls.Count);
        Assert.All(urls, u => Assert.StartsWith("https://cdn.example.com/shop/", u));
        Assert.Contains("https://cdn.example.com/shop/_content/MudBlazor/MudBlazor.min.css", urls);
        Assert.DoesNotContain(urls, u => u.Contains("fonts.googleapis", StringComparison.Ordinal) || u.Contains("fonts.gstatic", StringComparison.Ordinal));
    }

    [Fact]
    public void Product_images_on_the_site_go_to_the_cdn_and_images_hosted_elsewhere_stay_where_they_are()
    {
        var urls = new StaticAssetUrls(Options.Create(new StorefrontOptions { CdnBaseUrl = "https://cdn.example.com/" }));

        Assert.Equal("https://cdn.example.com/images/products/audio.svg", urls.Url(Microsoft.AspNetCore.Components.ResourceAssetCollection.Empty, "/images/products/audio.svg"));
        Assert.Equal("https://img.example.org/a.png", urls.Url(Microsoft.AspNetCore.Components.ResourceAssetCollection.Empty, "https://img.example.org/a.png"));
        Assert.Equal("https://cdn.example.com", urls.CdnOrigin);
    }

    [Fact]
    public void The_content_security_policy_lets_assets_come_from_the_cdn_origin_only_when_one_is_set()
    {
        var withCdn = SecurityHeaders.ContentSecurityPolicy("http://localhost:5000", "https://cdn.example.com");
        var without = SecurityHeaders.ContentSecurityPolicy("http://localhost:5000");

        Assert.Contains("script-src 'self' https://cdn.example.com;", withCdn);
        Assert.Contains("font-src 'self' https://cdn.example.com data:;", withCdn);
        Assert.Contains("connect-src 'self';", withCdn);
        Assert.Contains("script-src 'self';", without);
        Assert.DoesNotContain("cdn.example.com", without);
    }

    [Fact]
    public void A_cdn_setting_that_is_not_an_absolute_url_is_refused_at_start()
    {
        Assert.Throws<OptionsValidationException>(() => new StaticAssetUrls(Options.Create(new StorefrontOptions { CdnBaseUrl = "cdn.example.com" })));
    }
}
