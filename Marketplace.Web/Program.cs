using System.Globalization;
using Marketplace.Web;
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
app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
