using Marketplace.Catalog.Data;

namespace Marketplace.Catalog.Tests;

public sealed class PostgresProductStoreTests(PostgresFixture postgres) : ProductStoreContract
{
    private string _connectionString = "";

    public override async ValueTask InitializeAsync()
    {
        _connectionString = await postgres.NewDatabaseAsync();
        Outbox = PostgresFixture.NewContext(_connectionString);
        Store = new PostgresProductStore(Outbox);
    }

    protected override (IProductStore Store, IAsyncDisposable Owner) NewStoreForConcurrency()
    {
        var db = PostgresFixture.NewContext(_connectionString);
        return (new PostgresProductStore(db), db);
    }
}
