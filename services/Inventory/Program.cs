using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Inventory.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Stock per SKU and warehouse, reservations, the ledger and external warehouse adapters.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("inventory");
builder.AddServiceDatabase<InventoryDbContext>("inventorydb");
builder.AddMarketplaceMessaging<InventoryDbContext>();

var app = builder.Build();

await app.MigrateDatabaseAsync<InventoryDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();

app.Run();
