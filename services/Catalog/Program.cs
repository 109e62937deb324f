using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Catalog.Api;
using Marketplace.Catalog.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Product Service: products, variants, free-form attributes, merchants.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("catalog");
builder.AddServiceDatabase<CatalogDbContext>("catalogdb");
builder.AddMarketplaceMessaging<CatalogDbContext>();
builder.AddRedisClient("redis");
builder.AddProductStore();

var app = builder.Build();

await app.MigrateDatabaseAsync<CatalogDbContext>();
if (app.Environment.IsDevelopment())
{
    await CatalogSeeder.SeedIfEmptyAsync(app.Services, app.Configuration.GetValue("Catalog:SeedProducts", 200), app.Logger, CancellationToken.None);
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapProductEndpoints();

app.Run();
