using Marketplace.Payment.Data;
using Marketplace.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

[assembly: AssemblyFixture(typeof(Marketplace.Payment.Tests.PostgresFixture))]

namespace Marketplace.Payment.Tests;

/// <summary>
/// One real PostgreSQL for the assembly. Payment's migrations run once into a template database;
/// each test class gets its own copy of it (CREATE DATABASE … TEMPLATE takes milliseconds).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string Password = "payment-tests";
    private const string Template = "payment_template";
    private readonly string _dataDir = RepositoryRoot.NewScratchDirectory("marketplace-payment-tests");
    private readonly int _port = HostServer.FreePort();
    private readonly SemaphoreSlim _cloning = new(1, 1);
    private HostServer? _postgres;

    public async ValueTask InitializeAsync()
    {
        _postgres = HostServer.Postgres(Path.Combine(_dataDir, "postgres"), _port, Password);
        await _postgres.StartAsync(TimeSpan.FromSeconds(60));
        // No pooling: a pooled session left on the template would make every copy of it fail.
        await using var db = new PaymentDbContext(new DbContextOptionsBuilder<PaymentDbContext>()
            .UseNpgsql(ConnectionString(Template) + ";Pooling=false").Options);
        await db.Database.MigrateAsync();
    }

    /// <summary>A new database holding Payment's schema; returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var name = $"payment_{Guid.NewGuid():N}";
        await _cloning.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {Template}", connection);
            await create.ExecuteNonQueryAsync();
        }
        finally
        {
            _cloning.Release();
        }
        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Password={Password};Database={database};Include Error Detail=true";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
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
