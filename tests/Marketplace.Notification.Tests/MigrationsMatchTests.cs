using Marketplace.Notification.Data;
using Marketplace.Testing;

namespace Marketplace.Notification.Tests;

/// <summary>The mappings (and the snake_case naming convention) say exactly what the migrations built: no schema change is pending.</summary>
public sealed class MigrationsMatchTests
{
    [Fact]
    public void The_model_needs_no_migration_its_migrations_do_not_have() =>
        Assert.False(MigrationsMatch.HasPendingChanges<NotificationDbContext>(options => new NotificationDbContext(options)));
}
