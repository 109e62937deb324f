using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Marketplace.Testing;

/// <summary>
/// One real PostgreSQL for a test assembly, holding a service's schema: the service's migrations run once into a
/// template database, and each test (class) gets its own copy of it (CREATE DATABASE … TEMPLATE takes milliseconds).
/// A test project derives one fixture from it, declared an xunit <c>IAsyncLifetime</c> (this class's two methods
/// implement it), and registers it with <c>[assembly: AssemblyFixture(…)]</c>.
/// </summary>
/// <param name="service">Names the scratch directory and the databases (lower case, no spaces).</param>
/// <param name="newContext">Makes the service's DbContext over the given options.</param>
public abstract class PostgresDatabases<TContext>(string service, Func<DbContextOptions<TContext>, TContext> newContext) : IAsyncDisposable
    where TContext : DbContext
{
    private readonly string _password = $"{service}-tests";
    private readonly string _template = $"{service}_template";
    private readonly string _dataDir = RepositoryRoot.NewScratchDirectory($"marketplace-{service}-tests");
    private readonly int _port = HostServer.FreePort();
    private readonly SemaphoreSlim _cloning = new(1, 1);
    private HostServer? _postgres;

    public async ValueTask InitializeAsync()
    {
        _postgres = HostServer.Postgres(Path.Combine(_dataDir, "postgres"), _port, _password);
        await _postgres.StartAsync(TimeSpan.FromSeconds(60));
        // No pooling: a pooled session left on the template would make every copy of it fail.
        await using var db = NewContext(ConnectionString(_template) + ";Pooling=false");
        await db.Database.MigrateAsync();
    }

    /// <summary>A new database holding the service's schema; returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var name = $"{service}_{Guid.NewGuid():N}";
        await _cloning.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {_template}", connection);
            await create.ExecuteNonQueryAsync();
        }
        finally
        {
            _cloning.Release();
        }
        return ConnectionString(name);
    }

    /// <summary>The service's DbContext over <paramref name="connectionString"/>.</summary>
    public TContext NewContext(string connectionString) =>
        newContext(new DbContextOptionsBuilder<TContext>().UseNpgsql(connectionString).Options);

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Password={_password};Database={database};Include Error Detail=true";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        _cloning.Dispose();
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
