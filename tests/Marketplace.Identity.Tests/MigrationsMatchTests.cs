using Marketplace.Identity.Data;
using Marketplace.Testing;

namespace Marketplace.Identity.Tests;

/// <summary>The accounts' mappings (ASP.NET Identity's, OpenIddict's and the outbox's, in snake_case) say exactly what the migrations built.</summary>
public sealed class MigrationsMatchTests
{
    [Fact]
    public void The_model_needs_no_migration_its_migrations_do_not_have() =>
        Assert.False(MigrationsMatch.HasPendingChanges<AccountsDbContext>(options => new AccountsDbContext(options)));
}
