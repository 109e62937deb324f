using Marketplace.Catalog.Api;
using Marketplace.Catalog.Availability;
using Marketplace.Catalog.Caching;
using Marketplace.Catalog.Data;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

namespace Marketplace.Catalog;

public static class CatalogRegistration
{
    /// <summary>Products, variants, free-form attributes and merchants, with their cache and events, wired once.</summary>
    public static IHostApplicationBuilder AddCatalogService(this IHostApplicationBuilder builder)
    {
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
        return builder;
    }
}
