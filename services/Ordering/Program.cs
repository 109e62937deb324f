using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Ordering.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Cart, checkout, the order lifecycle and the checkout saga.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("ordering");
builder.AddServiceDatabase<OrderingDbContext>("orderingdb");
builder.AddMarketplaceMessaging<OrderingDbContext>();
builder.AddRedisClient("redis");

var app = builder.Build();

await app.MigrateDatabaseAsync<OrderingDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();

app.Run();
