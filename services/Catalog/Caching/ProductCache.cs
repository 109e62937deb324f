using Marketplace.Catalog.Domain;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace Marketplace.Catalog.Caching;

/// <summary>
/// Read-through cache of products and product lists: HybridCache (this instance's memory, then Redis)
/// in front of the store. A write invalidates here and in Redis at once and tells every other Catalog
/// instance over a Redis channel to drop its memory copy, so a change is visible everywhere within
/// milliseconds; a second invalidation half a second later removes anything a read racing the write
/// put back. Entries also expire on their own (memory 1 min, Redis 5 min) should a message be lost.
/// </summary>
public sealed class ProductCache(HybridCache cache, IConnectionMultiplexer redis, ILogger<ProductCache> logger) : IHostedService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("catalog:cache-invalidations");
    private const string ListsTag = "product-lists";

    private static readonly HybridCacheEntryOptions ProductEntry = new() { Expiration = TimeSpan.FromMinutes(5), LocalCacheExpiration = TimeSpan.FromMinutes(1) };
    private static readonly HybridCacheEntryOptions ListEntry = new() { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromSeconds(30) };

    private static string ProductKey(Guid id) => $"catalog:product:{id:N}";

    public ValueTask<Product?> GetProductAsync(Guid id, Func<CancellationToken, ValueTask<Product?>> load, CancellationToken ct) =>
        cache.GetOrCreateAsync(ProductKey(id), load, ProductEntry, cancellationToken: ct);

    public ValueTask<ProductPage> GetListAsync(ProductQuery query, Func<CancellationToken, ValueTask<ProductPage>> load, CancellationToken ct) =>
        cache.GetOrCreateAsync($"catalog:list:{query.Category}|{query.MerchantId}|{query.Page}|{query.PageSize}",
            load, ListEntry, [ListsTag], ct);

    /// <summary>After a committed write: drop the product and every list, here, in Redis and on every other instance.</summary>
    public async Task InvalidateAsync(Guid id)
    {
        await DropAndTellOthersAsync(id.ToString("N"));
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await DropAndTellOthersAsync(id.ToString("N"));
        });
    }

    /// <summary>Never fails the write that called it: without Redis, entries expire on their own.</summary>
    private async Task DropAndTellOthersAsync(string id)
    {
        await DropAsync(id);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not tell other instances to drop {Key}; their copies expire on their own", id);
        }
    }

    private async Task DropAsync(string id)
    {
        try
        {
            if (Guid.TryParseExact(id, "N", out var productId))
            {
                await cache.RemoveAsync(ProductKey(productId));
                await cache.RemoveByTagAsync(ListsTag);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Cache invalidation of {Key} did not reach Redis; entries expire on their own", id);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken) =>
        await redis.GetSubscriber().SubscribeAsync(Channel, (channel, message) =>
        {
            if (message.HasValue)
            {
                _ = DropAsync(message.ToString());
            }
        });

    public Task StopAsync(CancellationToken cancellationToken) => redis.GetSubscriber().UnsubscribeAsync(Channel);
}
