using Marketplace.Ordering;
using Marketplace.Ordering.Api;
using Marketplace.Ordering.Data;
using Marketplace.Shared.Data;

// Cart, checkout, the order lifecycle and the checkout saga.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrderingService();

var app = builder.Build();

await app.MigrateDatabaseAsync<OrderingDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapCartEndpoints();
app.MapOrderEndpoints();

app.Run();
