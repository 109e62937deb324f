using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Catalog.Data;

/// <summary>Catalog's PostgreSQL database: the outbox/inbox always, and the jsonb product store in host mode.</summary>
public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : DbContext(options)
{
    public DbSet<ProductRow> Products => Set<ProductRow>();

    public DbSet<ProductSkuRow> Skus => Set<ProductSkuRow>();

    public DbSet<Availability.SkuAvailabilityRow> SkuAvailability => Set<Availability.SkuAvailabilityRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.Entity<ProductRow>(e =>
        {
            e.ToTable("products");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).ValueGeneratedNever();
            e.Property(p => p.Category).HasMaxLength(300);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.Document).HasColumnType("jsonb");
            e.HasIndex(p => new { p.Category, p.IsPublished });
            e.HasIndex(p => p.MerchantId);
        });
        modelBuilder.Entity<ProductSkuRow>(e =>
        {
            e.ToTable("product_skus");
            e.HasKey(s => s.Sku);
            e.Property(s => s.Sku).HasMaxLength(64);
            e.HasIndex(s => s.ProductId);
            e.HasOne<ProductRow>().WithMany().HasForeignKey(s => s.ProductId).OnDelete(DeleteBehavior.Cascade);
        });
        // Kept here in both store modes: availability changes far more often than the product document.
        modelBuilder.Entity<Availability.SkuAvailabilityRow>(e =>
        {
            e.ToTable("sku_availability");
            e.HasKey(a => a.Sku);
            e.Property(a => a.Sku).HasMaxLength(64);
        });
        // Every column not named above is its property in snake_case (Marketplace.Shared.Data.SnakeCaseNaming).
        modelBuilder.UseSnakeCaseColumns();
    }
}

/// <summary>A product as stored in host mode: the document as jsonb plus the columns queries filter on.</summary>
public sealed class ProductRow
{
    public Guid Id { get; set; }
    public Guid MerchantId { get; set; }
    public string Category { get; set; } = "";
    public bool IsPublished { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string Document { get; set; } = "{}";
}

/// <summary>Claims a SKU for one product: the primary key makes SKUs unique across the catalogue.</summary>
public sealed class ProductSkuRow
{
    public string Sku { get; set; } = "";
    public Guid ProductId { get; set; }
}
