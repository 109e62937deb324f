using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Catalog.Api;
using Marketplace.Catalog.Availability;
using Marketplace.Catalog.Caching;
using Marketplace.Catalog.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Product Service: products, variants, free-form attributes, merchants.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("catalog");
builder.AddServiceDatabase<CatalogDbContext>("catalogdb");
builder.AddMarketplaceMessaging<CatalogDbContext>(x => x.AddConsumer<StockChangedConsumer>());
builder.AddRedisClient("redis");
builder.AddProductStore();

// Reads: HybridCache, this instance's memory in front of Redis in front of the store.
builder.Services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
    .Configure<StackExchange.Redis.IConnectionMultiplexer>((options, redis) =>
    {
        options.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
        options.InstanceName = "catalog:";
    });
builder.Services.AddStackExchangeRedisCache(_ => { });
builder.Services.AddHybridCache();
builder.Services.AddSingleton<ProductCache>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ProductCache>());
builder.Services.AddScoped<CatalogWrites>();

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
