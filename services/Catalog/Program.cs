using Marketplace.Catalog.Api;
using Marketplace.Catalog.Data;
using Marketplace.Catalog;
using Marketplace.Shared.Data;

// Product Service: products, variants, free-form attributes, merchants.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCatalogService();

var app = builder.Build();

await app.MigrateDatabaseAsync<CatalogDbContext>();
if (app.Environment.IsDevelopment())
{
    await CatalogSeeder.SeedIfEmptyAsync(app.Services, app.Configuration.GetValue("Catalog:SeedProducts", 200), app.Logger, CancellationToken.None);
}

app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapProductEndpoints();

app.Run();
