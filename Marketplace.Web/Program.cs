using System.Globalization;
using Marketplace.Web;
using Marketplace.Web.Authentication;
using Marketplace.Web.Components;
using Marketplace.Web.Services;
using MudBlazor.Services;

// The storefront (/) and the merchant console (/admin): a Blazor Web App on interactive server rendering.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

// Prices print in the configured culture, never the invariant ¤ of a bare server.
var culture = CultureInfo.GetCultureInfo(builder.Configuration["Storefront:Culture"] ?? "en-US");
CultureInfo.DefaultThreadCurrentCulture = culture;
CultureInfo.DefaultThreadCurrentUICulture = culture;

builder.AddSharedDataProtection();
builder.AddWebAuthentication();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddHttpClient<CatalogClient>(client =>
    client.BaseAddress = new Uri(builder.Configuration["Storefront:GatewayUrl"] ?? "http://gateway"));

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseSecurityHeaders(builder.Configuration["Identity:Authority"]);
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapWebAuthenticationEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
