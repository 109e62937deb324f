using Marketplace.Catalog.Data;
using Marketplace.Testing;
using Microsoft.EntityFrameworkCore;

[assembly: AssemblyFixture(typeof(Marketplace.Catalog.Tests.PostgresFixture))]

namespace Marketplace.Catalog.Tests;

/// <summary>One real PostgreSQL for the assembly; each test class gets a fresh, migrated database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string Password = "catalog-tests";
    private readonly string _dataDir = RepositoryRoot.NewScratchDirectory("marketplace-catalog-tests");
    private readonly int _port = HostServer.FreePort();
    private HostServer? _postgres;

    public async ValueTask InitializeAsync()
    {
        _postgres = HostServer.Postgres(Path.Combine(_dataDir, "postgres"), _port, Password);
        await _postgres.StartAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A new database with Catalog's migrations applied; returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var connectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Password={Password};Database=catalog_{Guid.NewGuid():N};Include Error Detail=true";
        await using var db = NewContext(connectionString);
        await db.Database.MigrateAsync();
        return connectionString;
    }

    public static CatalogDbContext NewContext(string connectionString) =>
        new(new DbContextOptionsBuilder<CatalogDbContext>().UseNpgsql(connectionString).Options);

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // postgres-owned files may resist; the scratch area is cleaned by the OS.
        }
    }
}
