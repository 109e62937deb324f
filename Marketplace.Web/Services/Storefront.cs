using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Services;

/// <summary>The storefront's settings (<c>Storefront:*</c>).</summary>
public sealed class StorefrontOptions
{
    public const string Section = "Storefront";

    /// <summary>Culture for prices, numbers and dates (<c>en-US</c> unless set).</summary>
    public string Culture { get; set; } = "en-US";

    /// <summary>The Gateway's base address (service discovery name by default).</summary>
    public string GatewayUrl { get; set; } = "http://gateway";

    /// <summary>When set (e.g. <c>https://cdn.example.com/shop/</c>), static asset URLs point there instead of at this app.</summary>
    public string? CdnBaseUrl { get; set; }
}

/// <summary>
/// Prices in the configured culture's number format with the symbol of the price's own currency: $79.99 in
/// en-US, 79,99 € for euros in de-DE. Never the invariant culture's ¤: a currency with no known symbol shows its code.
/// </summary>
public sealed class PriceFormatter(IOptions<StorefrontOptions> options)
{
    private static readonly ConcurrentDictionary<string, string> Symbols = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, NumberFormatInfo> _formats = new(StringComparer.OrdinalIgnoreCase);

    public CultureInfo Culture { get; } = CultureInfo.GetCultureInfo(options.Value.Culture);

    /// <summary>Round amounts without cents (price ranges: "Under $25"), others as <see cref="Format"/>.</summary>
    public string FormatShort(decimal amount, string? currency) =>
        amount == decimal.Truncate(amount) ? Format(amount, currency, decimals: 0) : Format(amount, currency);

    public string Format(decimal amount, string? currency) => Format(amount, currency, decimals: null);

    private string Format(decimal amount, string? currency, int? decimals)
    {
        var format = _formats.GetOrAdd(currency ?? "", code =>
        {
            var numbers = (NumberFormatInfo)Culture.NumberFormat.Clone();
            numbers.CurrencySymbol = SymbolOf(code, Culture);
            return numbers;
        });
        return amount.ToString(decimals is { } d ? "C" + d : "C", format);
    }

    private static string SymbolOf(string currency, CultureInfo culture)
    {
        if (currency.Length == 0)
        {
            return culture.NumberFormat.CurrencySymbol is "¤" ? "" : culture.NumberFormat.CurrencySymbol;
        }
        if (!culture.IsNeutralCulture && culture.Name.Length > 0 && new RegionInfo(culture.Name).ISOCurrencySymbol.Equals(currency, StringComparison.OrdinalIgnoreCase))
        {
            return culture.NumberFormat.CurrencySymbol;
        }
        return Symbols.GetOrAdd(currency, code =>
            CultureInfo.GetCultures(CultureTypes.SpecificCultures)
                .Select(c => new RegionInfo(c.Name))
                .Where(r => r.ISOCurrencySymbol.Equals(code, StringComparison.OrdinalIgnoreCase))
                .Select(r => r.CurrencySymbol)
                .OrderBy(s => s.Length) // "$" before "US$"
                .FirstOrDefault() ?? code.ToUpperInvariant());
    }
}

/// <summary>
/// Where static assets are served from. Asset paths are first resolved to their fingerprinted names (MapStaticAssets'
/// manifest, through the component's <c>Assets</c>), then prefixed with <c>Storefront:CdnBaseUrl</c> when it is set.
/// </summary>
public sealed class StaticAssetUrls(IOptions<StorefrontOptions> options)
{
    private readonly string? _cdn = Normalize(options.Value.CdnBaseUrl);

    /// <summary>The CDN's origin (<c>https://cdn.example.com</c>), for the Content-Security-Policy; null without a CDN.</summary>
    public string? CdnOrigin => _cdn is null ? null : new Uri(_cdn).GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// The URL of an app asset: <paramref name="path"/> (<c>app.css</c> or <c>/images/products/audio.svg</c>) fingerprinted
    /// when the manifest knows it, on the CDN when one is set. Absolute URLs (images hosted elsewhere) are left as they are.
    /// </summary>
    public string Url(ResourceAssetCollection assets, string path)
    {
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return path;
        }
        var relative = assets[path.TrimStart('/')];
        return _cdn is null ? relative : _cdn + relative.TrimStart('/');
    }

    private static string? Normalize(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new OptionsValidationException(StorefrontOptions.Section, typeof(StorefrontOptions),
                [$"Storefront:CdnBaseUrl must be an absolute http(s) URL, not '{url}'."]);
        }
        var text = uri.ToString();
        return text.EndsWith('/') ? text : text + "/";
    }
}
