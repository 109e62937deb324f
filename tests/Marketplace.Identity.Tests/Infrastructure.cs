using Marketplace.Identity.Data;
using Marketplace.Testing;

[assembly: AssemblyFixture(typeof(Marketplace.Identity.Tests.PostgresFixture))]
[assembly: AssemblyFixture(typeof(Marketplace.Identity.Tests.RedisFixture))]

namespace Marketplace.Identity.Tests;

/// <summary>One real PostgreSQL for the assembly; each test gets a fresh database with Identity's schema.</summary>
public sealed class PostgresFixture() : PostgresDatabases<AccountsDbContext>("identity", options => new AccountsDbContext(options)), IAsyncLifetime;

/// <summary>One real Redis for the assembly (the registration notices' counters; keys are per account, so tests share it).</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private readonly int _port = HostServer.FreePort();
    private HostServer? _redis;

    public string ConnectionString => $"127.0.0.1:{_port}";

    public async ValueTask InitializeAsync()
    {
        _redis = HostServer.Redis(_port);
        await _redis.StartAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
