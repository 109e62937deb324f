using Marketplace.Inventory.Api;
using Marketplace.Inventory.Data;
using Marketplace.Inventory.Development;
using Marketplace.Inventory.Messaging;
using Marketplace.Inventory.Stock;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Stock per SKU and warehouse, reservations, the ledger and external warehouse adapters.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("inventory");
builder.AddServiceDatabase<InventoryDbContext>("inventorydb");
builder.AddMarketplaceMessaging<InventoryDbContext>(x =>
{
    x.AddConsumer<ReserveStockConsumer>();
    x.AddConsumer<ConfirmReservationConsumer>();
    x.AddConsumer<ReleaseReservationConsumer>();
    x.AddConsumer<CommitReservationConsumer>();
});

builder.Services.AddOptions<InventoryOptions>().BindConfiguration("Inventory");
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<StockBook>();
builder.Services.AddHostedService<ReservationExpiry>();
builder.Services.AddHttpClient<CatalogSkus>(c => c.BaseAddress = new Uri("http://catalog")).AddServiceToken();
if (builder.Environment.IsDevelopment())
{
    builder.Services.AddSingleton<OpeningStock>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<OpeningStock>());
    builder.Services.AddHealthChecks().AddCheck<OpeningStock>("opening-stock");
}

var app = builder.Build();

await app.MigrateDatabaseAsync<InventoryDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapStockEndpoints();

app.Run();
