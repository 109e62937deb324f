using Marketplace.Inventory;
using Marketplace.Inventory.Api;
using Marketplace.Inventory.Data;
using Marketplace.Inventory.External;
using Marketplace.Shared.Data;

// Stock per SKU and warehouse, reservations, the ledger and external warehouse adapters.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddInventoryService();

var app = builder.Build();

await app.MigrateDatabaseAsync<InventoryDbContext>();
await app.EnsureExternalSystemsAsync();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapStockEndpoints();
app.MapSyncEndpoints();

app.Run();
