using System.Globalization;
using Marketplace.Web.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Marketplace.Web.Tests;

/// <summary>A bUnit context with MudBlazor's services and the storefront's settings, as the app registers them.</summary>
public abstract class WebTestContext : BunitContext
{
    protected WebTestContext(string culture = "en-US", string? cdnBaseUrl = null)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        var options = Options.Create(new StorefrontOptions { Culture = culture, CdnBaseUrl = cdnBaseUrl });
        Services.AddSingleton(options);
        Services.AddSingleton<PriceFormatter>();
        Services.AddSingleton<StaticAssetUrls>();
        // The app sets the thread culture from Storefront:Culture; so does each test.
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
    }
}
