using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Marketplace.Users.Domain;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Data;

/// <summary>The Users service's own database; nothing else reads it.</summary>
public sealed class UsersDbContext(DbContextOptions<UsersDbContext> options) : DbContext(options)
{
    public DbSet<UserProfile> Profiles => Set<UserProfile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.Entity<UserProfile>(e =>
        {
            e.ToTable("profiles");
            e.HasKey(p => p.UserId);
            e.Property(p => p.UserId).ValueGeneratedNever();
            e.Property(p => p.Email).HasMaxLength(256);
            e.Property(p => p.DisplayName).HasMaxLength(100);
            e.Property(p => p.EmailPreferences).IsJsonbMap();
            e.OwnsMany(p => p.Addresses, a => a.ToJson("addresses"));
            e.Property(p => p.Version).IsRowVersion();
        });
    }
}
