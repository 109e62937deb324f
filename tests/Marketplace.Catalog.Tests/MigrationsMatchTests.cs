using Marketplace.Catalog.Data;
using Marketplace.Testing;

namespace Marketplace.Catalog.Tests;

/// <summary>The mappings (and the snake_case naming convention) say exactly what the migrations built: no schema change is pending.</summary>
public sealed class MigrationsMatchTests
{
    [Fact]
    public void The_model_needs_no_migration_its_migrations_do_not_have() =>
        Assert.False(MigrationsMatch.HasPendingChanges<CatalogDbContext>(options => new CatalogDbContext(options)));
}
