using Marketplace.Ordering.Api;
using Marketplace.Ordering.Cart;
using Marketplace.Ordering.Checkout;
using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Marketplace.Ordering.Saga;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Cart, checkout, the order lifecycle and the checkout saga.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("ordering");
builder.AddServiceDatabase<OrderingDbContext>("orderingdb");
builder.AddMarketplaceMessaging<OrderingDbContext>(x =>
{
    x.AddConsumer<StockReservedConsumer>();
    x.AddConsumer<StockReservationFailedConsumer>();
    x.AddConsumer<ReservationExpiredConsumer>();
    x.AddConsumer<ReservationConfirmationFailedConsumer>();
    x.AddConsumer<PaymentAuthorizedConsumer>();
    x.AddConsumer<PaymentDeclinedConsumer>();
    x.AddConsumer<PaymentCapturedConsumer>();
    x.AddConsumer<PaymentVoidedConsumer>();
    x.AddConsumer<PaymentRefundedConsumer>();
});
builder.AddRedisClient("redis");

builder.Services.AddOptions<SagaTimeouts>().BindConfiguration("Ordering");
builder.Services.AddSingleton<CartStore>();
builder.Services.AddScoped<PlaceOrder>();
builder.Services.AddScoped<OrderChanges>();
builder.Services.AddHostedService<OrderTimeouts>();
builder.Services.AddHttpClient<CatalogPrices>(c => c.BaseAddress = new Uri("http://catalog")).AddServiceToken();

var app = builder.Build();

await app.MigrateDatabaseAsync<OrderingDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapCartEndpoints();
app.MapOrderEndpoints();

app.Run();
