using Marketplace.Catalog.Domain;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Marketplace.Catalog.Data;

public static class ProductStoreRegistration
{
    /// <summary>Registers the adapter named by <c>ProductStore:Provider</c>: <c>postgres</c> (default) or <c>mongo</c>.</summary>
    public static IHostApplicationBuilder AddProductStore(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration["ProductStore:Provider"] ?? "postgres";
        switch (provider.ToLowerInvariant())
        {
            case "postgres":
                builder.Services.AddScoped<IProductStore, PostgresProductStore>();
                break;
            case "mongo":
                var connectionString = builder.Configuration.GetConnectionString("mongo")
                    ?? throw new InvalidOperationException("ProductStore:Provider is 'mongo' but connection string 'mongo' is missing.");
                MongoProductStore.RegisterClassMaps();
                builder.Services.AddSingleton<IMongoClient>(_ => new MongoClient(connectionString));
                builder.Services.AddSingleton(sp => sp.GetRequiredService<IMongoClient>()
                    .GetDatabase(builder.Configuration["ProductStore:Database"] ?? "catalog")
                    .GetCollection<Product>(MongoProductStore.CollectionName));
                builder.Services.AddScoped<IProductStore, MongoProductStore>();
                builder.Services.AddHostedService<MongoIndexes>();
                builder.Services.AddOptions<MongoOutboxOptions>().BindConfiguration("ProductStore:Outbox");
                builder.Services.AddHostedService<MongoOutboxRelay>();
                builder.Services.AddHealthChecks().AddCheck<MongoHealthCheck>("mongo");
                break;
            default:
                throw new InvalidOperationException($"Unknown ProductStore:Provider '{provider}': use 'postgres' or 'mongo'.");
        }
        return builder;
    }
}

internal sealed class MongoHealthCheck(IMongoClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}

/// <summary>Creates the collection's indexes at start (idempotent).</summary>
internal sealed class MongoIndexes(IMongoCollection<Product> products) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        products.Indexes.CreateManyAsync([MongoProductStore.SkuIndex,
            new CreateIndexModel<Product>(Builders<Product>.IndexKeys.Ascending(p => p.Category).Ascending(p => p.IsPublished)),
            new CreateIndexModel<Product>(Builders<Product>.IndexKeys.Ascending(p => p.MerchantId)),
            // The relay looks for documents with events waiting; most have none, so the index is sparse.
            new CreateIndexModel<Product>(Builders<Product>.IndexKeys.Ascending(MongoOutbox.PendingKey), new CreateIndexOptions { Sparse = true })], cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
