using Marketplace.Ordering.Domain;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Ordering.Data;

/// <summary>The Ordering service's own database; nothing else reads it.</summary>
public sealed class OrderingDbContext(DbContextOptions<OrderingDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<OrderTransition> Transitions => Set<OrderTransition>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutboxAndInbox();

        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders", t => t.HasCheckConstraint("ck_orders_total", "total >= 0"));
            e.HasKey(o => o.Id);
            e.Property(o => o.Id).ValueGeneratedNever();
            e.Property(o => o.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(o => o.Payment).HasConversion<string>().HasMaxLength(20);
            e.Property(o => o.Total).HasPrecision(12, 2);
            e.Property(o => o.Currency).HasMaxLength(3);
            e.Property(o => o.PaymentMethod).HasMaxLength(100);
            e.Property(o => o.CancelReason).HasMaxLength(500);
            e.Property(o => o.Sequence).IsConcurrencyToken();
            e.OwnsOne(o => o.ShippingAddress, a =>
            {
                a.Property(x => x.Name).HasColumnName("ship_name").HasMaxLength(200);
                a.Property(x => x.Line1).HasColumnName("ship_line1").HasMaxLength(200);
                a.Property(x => x.Line2).HasColumnName("ship_line2").HasMaxLength(200);
                a.Property(x => x.City).HasColumnName("ship_city").HasMaxLength(100);
                a.Property(x => x.PostalCode).HasColumnName("ship_postal_code").HasMaxLength(20);
                a.Property(x => x.Country).HasColumnName("ship_country").HasMaxLength(2);
            });
            e.Navigation(o => o.ShippingAddress).IsRequired();
            e.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId);
            e.Navigation(o => o.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasMany(o => o.Transitions).WithOne().HasForeignKey(t => t.OrderId);
            e.Navigation(o => o.Transitions).UsePropertyAccessMode(PropertyAccessMode.Field);
            e.Ignore(o => o.Outgoing);
            e.Ignore(o => o.MerchantIds);
            e.Ignore(o => o.HoldUntil);
            e.HasIndex(o => new { o.BuyerId, o.CreatedAt });
            // The timeout worker scans only orders that wait on someone.
            e.HasIndex(o => o.DeadlineAt).HasDatabaseName("ix_orders_deadline").HasFilter("deadline_at IS NOT NULL");
        });

        modelBuilder.Entity<OrderLine>(e =>
        {
            e.ToTable("order_lines", t =>
            {
                t.HasCheckConstraint("ck_order_lines_quantity", "quantity > 0");
                t.HasCheckConstraint("ck_order_lines_price", "unit_price >= 0");
            });
            e.HasKey(l => new { l.OrderId, l.Sku });
            e.Property(l => l.Sku).HasMaxLength(64);
            e.Property(l => l.Title).HasMaxLength(300);
            e.Property(l => l.UnitPrice).HasPrecision(12, 2);
            e.Property(l => l.TrackingNumber).HasMaxLength(100);
            e.HasIndex(l => l.MerchantId);
        });

        modelBuilder.Entity<OrderTransition>(e =>
        {
            e.ToTable("order_transitions");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).UseIdentityAlwaysColumn();
            e.Property(t => t.From).HasColumnName("from_status").HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.To).HasColumnName("to_status").HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.Actor).HasMaxLength(200);
            e.Property(t => t.Reason).HasMaxLength(500);
            e.HasIndex(t => new { t.OrderId, t.Sequence }).IsUnique();
        });

        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(r => new { r.BuyerId, r.Key });
            e.Property(r => r.Key).HasMaxLength(IdempotencyRecord.MaxKeyLength);
            e.Property(r => r.RequestHash).HasMaxLength(64);
        });
        // Every column not named above is its property in snake_case (Marketplace.Shared.Data.SnakeCaseNaming).
        modelBuilder.UseSnakeCaseColumns();
    }
}

/// <summary>
/// The first answer to a buyer's <c>Idempotency-Key</c>: inserted first, on its primary key, in the
/// transaction that creates the order, so concurrent requests with one key wait for the first and then
/// find its answer, and a retry gets the same answer, errors included.
/// </summary>
public sealed class IdempotencyRecord
{
    public const int MaxKeyLength = 100;
    public Guid BuyerId { get; set; }
    public string Key { get; set; } = "";
    /// <summary>SHA-256 of the request body: the same key with another body is refused (422).</summary>
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string ResponseBody { get; set; } = "";
    public Guid? OrderId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
