using System.Text.Json;
using Marketplace.Identity.Application;
using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Marketplace.Identity.Mail;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Marketplace.Identity.Tests;

/// <summary>
/// Opening accounts on real PostgreSQL and Redis, under the rules the service runs with: an account, its role and its
/// announcements commit together; registering a known address opens nothing and tells its owner (a few times an hour
/// at most), after the same password checks, so the answer does not say which addresses have accounts.
/// </summary>
public sealed class AccountsTests(PostgresFixture postgres, RedisFixture redis) : IAsyncLifetime
{
    private const string Password = "Correct-Horse-9";
    private ServiceProvider _services = null!;
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IConnectionMultiplexer>(_redis)
            .AddDbContext<AccountsDbContext>(options => options.UseNpgsql(connectionString))
            .AddScoped<Accounts>();
        services.AddIdentityCore<MarketplaceUser>(IdentityRegistration.AccountRules)
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<AccountsDbContext>();
        _services = services.BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        Assert.True((await roles.CreateAsync(new IdentityRole<Guid>(Roles.Shopper))).Succeeded);
    }

    [Fact]
    public async Task A_new_address_gets_an_account_with_its_role_and_both_announcements_in_one_commit()
    {
        var email = NewAddress();

        var result = await RegisterAsync(email, Password);

        Assert.True(result.Succeeded);
        await using var scope = _services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<MarketplaceUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.NotNull(user);
        Assert.Equal([Roles.Shopper], await users.GetRolesAsync(user));
        Assert.False(user.EmailConfirmed);
        var staged = await StagedAsync();
        var registered = Assert.Single(staged.OfType<UserRegistered>());
        Assert.Equal((user.Id, email, "Tess Tester"), (registered.UserId, registered.Email, registered.DisplayName));
        Assert.Equal([new AccountMailRequested(user.Id, AccountMailKind.ConfirmAddress)], staged.OfType<AccountMailRequested>());
    }

    [Fact]
    public async Task A_known_address_gets_no_second_account_and_its_owner_at_most_three_notices_an_hour()
    {
        var email = NewAddress();
        Assert.True((await RegisterAsync(email, Password)).Succeeded);

        for (var attempt = 0; attempt < Accounts.RegistrationNoticesPerHour + 2; attempt++)
        {
            Assert.True((await RegisterAsync(email, $"Another-Password-{attempt}")).Succeeded);
        }

        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var owner = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant(), TestContext.Current.CancellationToken);
        var staged = await StagedAsync();
        Assert.Single(staged.OfType<UserRegistered>());
        Assert.Equal(Accounts.RegistrationNoticesPerHour,
            staged.OfType<AccountMailRequested>().Count(m => m == new AccountMailRequested(owner.Id, AccountMailKind.RegistrationAttempt)));
    }

    [Fact]
    public async Task A_weak_password_is_refused_alike_for_a_new_and_a_known_address_and_stages_nothing()
    {
        var known = NewAddress();
        Assert.True((await RegisterAsync(known, Password)).Succeeded);
        var before = (await StagedAsync()).Count;

        var forNew = await RegisterAsync(NewAddress(), "short");
        var forKnown = await RegisterAsync(known, "short");

        Assert.False(forNew.Succeeded);
        Assert.Equal(forNew.Errors.Select(e => e.Code), forKnown.Errors.Select(e => e.Code));
        Assert.Contains(forNew.Errors, e => e.Code == nameof(IdentityErrorDescriber.PasswordTooShort));
        Assert.Equal(before, (await StagedAsync()).Count);
        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<AccountsDbContext>().Users.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_address_open_one_account_announced_once()
    {
        var email = NewAddress();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => RegisterAsync(email, Password))));

        Assert.All(results, r => Assert.True(r.Succeeded, string.Join("; ", r.Errors.Select(e => e.Description))));
        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<AccountsDbContext>().Users.CountAsync(TestContext.Current.CancellationToken));
        Assert.Single((await StagedAsync()).OfType<UserRegistered>());
    }

    private static string NewAddress() => $"tess-{Guid.NewGuid():N}@example.test";

    private async Task<IdentityResult> RegisterAsync(string email, string password)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Accounts>()
            .RegisterShopperAsync(email, "Tess Tester", password, TestContext.Current.CancellationToken);
    }

    /// <summary>Every message the outbox holds, read back as the relay would publish it.</summary>
    private async Task<List<object>> StagedAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<AccountsDbContext>().Set<OutboxMessage>()
            .AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync(TestContext.Current.CancellationToken);
        return [.. rows.Select(r => r.Deserialize())];
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
