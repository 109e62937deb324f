using Marketplace.Warehouse;

// A stand-in for the external warehouse management system Inventory integrates with ("northwind"),
// reached only over HTTP: a stock book with idempotent adjustments, commits and reservations, a CSV
// feed, signed delta and snapshot webhooks, and switches for latency, outages, errors and unruly
// webhook delivery (/sim/settings).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddWarehouseSimulator();

var app = builder.Build();
app.UseMarketplaceDefaults();
app.MapWarehouseApi();
app.MapSimulatorControls();
app.Run();
