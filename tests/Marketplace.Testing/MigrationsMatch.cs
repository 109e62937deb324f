using Microsoft.EntityFrameworkCore;

namespace Marketplace.Testing;

/// <summary>Whether a service's model (its mappings and naming convention) still says what its migrations built.</summary>
public static class MigrationsMatch
{
    /// <summary>
    /// True when the model of <typeparamref name="TContext"/> differs from its last migration's snapshot: a change of
    /// mapping (or of the naming convention) that would need a migration. No database is needed.
    /// </summary>
    public static bool HasPendingChanges<TContext>(Func<DbContextOptions<TContext>, TContext> create) where TContext : DbContext
    {
        using var db = create(new DbContextOptionsBuilder<TContext>().UseNpgsql("Host=unused").Options);
        return db.Database.HasPendingModelChanges();
    }
}
