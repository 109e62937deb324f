using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using Microsoft.EntityFrameworkCore;
using Marketplace.Shared.Messaging;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Marketplace.Catalog.Tests;

/// <summary>
/// The same contract against a real MongoDB, when <c>MARKETPLACE_TEST_MONGO</c> names one (e.g.
/// <c>mongodb://localhost:27017</c>). This machine has no MongoDB server: here every test reports itself skipped.
/// </summary>
public sealed class MongoProductStoreTests : ProductStoreContract
{
    private static readonly string? ConnectionString = Environment.GetEnvironmentVariable("MARKETPLACE_TEST_MONGO");
    private IMongoCollection<Product>? _collection;

    public override async ValueTask InitializeAsync()
    {
        if (string.IsNullOrEmpty(ConnectionString))
        {
            Store = new NoServer();
            return;
        }
        MongoProductStore.RegisterClassMaps();
        _collection = new MongoClient(ConnectionString).GetDatabase($"catalog_tests_{Guid.NewGuid():N}").GetCollection<Product>(MongoProductStore.CollectionName);
        await _collection.Indexes.CreateOneAsync(MongoProductStore.SkuIndex);
        Store = new MongoProductStore(_collection, new OutboxSignal(), TimeProvider.System);
    }

    /// <summary>The events waiting inside the product documents.</summary>
    protected override async Task<int> StagedEventsAsync()
    {
        var documents = await _collection!.Database.GetCollection<BsonDocument>(MongoProductStore.CollectionName)
            .Find(Builders<BsonDocument>.Filter.Exists(MongoOutbox.PendingKey)).ToListAsync(Ct);
        return documents.Sum(d => d[MongoOutbox.OutboxField].AsBsonArray.Count);
    }

    protected override (IProductStore Store, IAsyncDisposable Owner) NewStoreForConcurrency()
    {
        if (_collection is null)
        {
            Assert.Skip("MARKETPLACE_TEST_MONGO is not set: no MongoDB server to run the store contract against.");
        }
        return (new MongoProductStore(_collection!, new OutboxSignal(), TimeProvider.System), new NothingToDispose());
    }

    public override async ValueTask DisposeAsync()
    {
        if (_collection is not null)
        {
            await _collection.Database.Client.DropDatabaseAsync(_collection.Database.DatabaseNamespace.DatabaseName);
        }
        await base.DisposeAsync();
    }

    private sealed class NothingToDispose : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Stands in for the store when there is no server: every test that touches it reports itself skipped.</summary>
    private sealed class NoServer : IProductStore
    {
        private static T Skip<T>() => throw Xunit.Sdk.SkipException.ForSkip("MARKETPLACE_TEST_MONGO is not set: no MongoDB server to run the store contract against.");

        public Task<Product?> GetAsync(Guid id, CancellationToken ct) => Skip<Task<Product?>>();
        public Task<ProductPage> ListAsync(ProductQuery query, CancellationToken ct) => Skip<Task<ProductPage>>();
        public Task<IReadOnlyList<Product>> ScanAsync(Guid? after, int limit, bool publishedOnly, CancellationToken ct) => Skip<Task<IReadOnlyList<Product>>>();
        public Task<long> CountAsync(CancellationToken ct) => Skip<Task<long>>();
        public Task<IReadOnlyList<Product>> FindBySkusAsync(IReadOnlyCollection<string> skus, CancellationToken ct) => Skip<Task<IReadOnlyList<Product>>>();
        public Task<WriteResult> CreateAsync(Product product, IReadOnlyCollection<Marketplace.Shared.Contracts.IIntegrationEvent> events, CancellationToken ct) => Skip<Task<WriteResult>>();
        public Task<WriteResult> ReplaceAsync(Product product, long expectedVersion, IReadOnlyCollection<Marketplace.Shared.Contracts.IIntegrationEvent> events, CancellationToken ct) => Skip<Task<WriteResult>>();
        public Task<WriteResult> DeleteAsync(Guid id, long expectedVersion, IReadOnlyCollection<Marketplace.Shared.Contracts.IIntegrationEvent> events, CancellationToken ct) => Skip<Task<WriteResult>>();
        public Task AddAsync(IReadOnlyCollection<Product> products, IReadOnlyCollection<Marketplace.Shared.Contracts.IIntegrationEvent> events, CancellationToken ct) => Skip<Task>();
    }
}
