using System.Net.Http.Headers;
using Marketplace.Testing;
using Marketplace.Users.Data;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Marketplace.Users.Tests.UsersApp))]

namespace Marketplace.Users.Tests;

/// <summary>
/// The Users service as it runs (its own Program) on a real PostgreSQL, with MassTransit's in-memory harness instead
/// of RabbitMQ and tokens signed by the test instead of Identity. One instance for the assembly; each test uses
/// accounts of its own.
/// </summary>
public sealed class UsersApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private const string PostgresPassword = "users-tests";

    private readonly string _scratch = RepositoryRoot.NewScratchDirectory("marketplace-users-tests");
    private readonly int _postgresPort = HostServer.FreePort();
    private readonly ConsumptionLog _consumptions = new();
    private HostServer? _postgres;

    public ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    public async ValueTask InitializeAsync()
    {
        _postgres = HostServer.Postgres(Path.Combine(_scratch, "postgres"), _postgresPort, PostgresPassword);
        await _postgres.StartAsync(TimeSpan.FromSeconds(60));
        _ = Server; // starts the host: the database is migrated before the first test
        Harness.Bus.ConnectConsumeObserver(_consumptions);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:usersdb",
            $"Host=127.0.0.1;Port={_postgresPort};Username=postgres;Password={PostgresPassword};Database=users_tests;Include Error Detail=true");
        builder.ConfigureTestServices(services =>
        {
            services.AddMassTransitTestHarness(x => x.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(5)));
            services.TrustTestTokens();
        });
    }

    /// <summary>A client with a token of <paramref name="userId"/> in <paramref name="role"/> (a service token has role "service").</summary>
    public HttpClient ClientFor(Guid userId, string role = "shopper", string audience = "users")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create(userId, audience, [role]));
        return client;
    }

    /// <summary>Publishes with a chosen MessageId and waits until that delivery has been handled or has failed.</summary>
    public Task<ConsumeOutcome> DeliverAsync<T>(T message, Guid messageId) where T : class => _consumptions.DeliverAsync(Harness.Bus, message, messageId);

    public async Task<TResult> QueryAsync<TResult>(Func<UsersDbContext, Task<TResult>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<UsersDbContext>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // postgres-owned files may resist; the scratch area is cleaned by the OS.
        }
    }
}
