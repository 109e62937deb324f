using Marketplace.Catalog.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Catalog.Tests;

public sealed class PostgresProductStoreTests(PostgresFixture postgres) : ProductStoreContract
{
    private string _connectionString = "";
    private CatalogDbContext _db = null!;

    public override async ValueTask InitializeAsync()
    {
        _connectionString = await postgres.NewDatabaseAsync();
        _db = postgres.NewContext(_connectionString);
        Store = new PostgresProductStore(_db);
    }

    public override async ValueTask DisposeAsync() => await _db.DisposeAsync();

    protected override async Task<int> StagedEventsAsync() => await _db.Set<Marketplace.Shared.Messaging.OutboxMessage>().CountAsync(Ct);

    protected override (IProductStore Store, IAsyncDisposable Owner) NewStoreForConcurrency()
    {
        var db = postgres.NewContext(_connectionString);
        return (new PostgresProductStore(db), db);
    }
}
