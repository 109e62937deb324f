using System.Globalization;
using Marketplace.Web;
using Marketplace.Web.Authentication;
using Marketplace.Web.Components;
using Marketplace.Web.Services;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

// The storefront (/) and the merchant console (/admin): a Blazor Web App on interactive server rendering.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.AddOptions<StorefrontOptions>().BindConfiguration(StorefrontOptions.Section);
var storefront = builder.Configuration.GetSection(StorefrontOptions.Section).Get<StorefrontOptions>() ?? new StorefrontOptions();

// Prices print in the configured culture, never the invariant ¤ of a bare server.
var culture = CultureInfo.GetCultureInfo(storefront.Culture);
CultureInfo.DefaultThreadCurrentCulture = culture;
CultureInfo.DefaultThreadCurrentUICulture = culture;

builder.AddSharedDataProtection();
builder.AddWebAuthentication();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices(mud =>
{
    // Bottom left: clear of the app bar's cart and bell, and of an order's status at the top of its page.
    mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
    mud.SnackbarConfiguration.VisibleStateDuration = 4000;
});
builder.Services.AddSingleton<PriceFormatter>();
builder.Services.AddSingleton<StaticAssetUrls>();

// Every call goes through the Gateway, as any client of the public API does. Only safe methods are retried:
// a repeated POST of a stock adjustment would count twice (checkout carries its own Idempotency-Key instead).
var gateway = new Uri(storefront.GatewayUrl);
// RemoveAllResilienceHandlers is marked experimental; it is the documented way to replace ServiceDefaults' handler.
#pragma warning disable EXTEXP0001
// A 429 is our own gateway saying "busy": the visitor is told at once (with its Retry-After), never retried for half a
// minute, and it does not count against the circuit breaker (other visitors' calls are fine).
void Gateway(IHttpClientBuilder client) => client
    .ConfigureHttpClient(c => c.BaseAddress = gateway)
    .RemoveAllResilienceHandlers()
    .AddStandardResilienceHandler(o =>
    {
        o.Retry.DisableForUnsafeHttpMethods();
        o.Retry.ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome));
        o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome));
    });
static bool IsFailure(Polly.Outcome<HttpResponseMessage> outcome) =>
    outcome.Result?.StatusCode != System.Net.HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
Gateway(builder.Services.AddHttpClient<CatalogClient>());
Gateway(builder.Services.AddHttpClient<SearchClient>());
Gateway(builder.Services.AddHttpClient<CartClient>());
Gateway(builder.Services.AddHttpClient<GuestCartClient>());
Gateway(builder.Services.AddHttpClient<OrdersClient>());
Gateway(builder.Services.AddHttpClient<NotificationsClient>());
Gateway(builder.Services.AddHttpClient<UsersClient>());
Gateway(builder.Services.AddHttpClient<MerchantClient>());
builder.Services.AddHttpClient(nameof(UserTokens));
// A stream open for as long as the circuit: no total timeout, no retries (LiveUpdates reconnects itself).
builder.Services.AddHttpClient(LiveUpdates.HttpClientName, c =>
    {
        c.BaseAddress = gateway;
        c.Timeout = Timeout.InfiniteTimeSpan;
    })
    .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
builder.Services.AddScoped<Visitor>();
builder.Services.AddScoped<UserTokens>();
builder.Services.AddScoped<IAccessTokens>(s => s.GetRequiredService<UserTokens>());
builder.Services.AddScoped<ICartApi, ShopperCart>();
builder.Services.AddScoped<CartState>();
builder.Services.AddScoped<LiveUpdates>();
builder.Services.AddScoped<NotificationState>();

var app = builder.Build();

// Behind an ingress, the visitor's address comes from its X-Forwarded-For (ClientAddress:TrustedProxies), no one else's.
app.UseClientAddress();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseSecurityHeaders(builder.Configuration["Identity:Authority"], app.Services.GetRequiredService<StaticAssetUrls>().CdnOrigin);
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapWebAuthenticationEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
