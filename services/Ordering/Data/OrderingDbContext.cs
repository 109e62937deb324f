using Marketplace.Ordering.Domain;
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
            e.Property(o => o.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(o => o.BuyerId).HasColumnName("buyer_id");
            e.Property(o => o.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            e.Property(o => o.Payment).HasColumnName("payment").HasConversion<string>().HasMaxLength(20);
            e.Property(o => o.Total).HasColumnName("total").HasPrecision(12, 2);
            e.Property(o => o.Currency).HasColumnName("currency").HasMaxLength(3);
            e.Property(o => o.PaymentMethod).HasColumnName("payment_method").HasMaxLength(100);
            e.Property(o => o.CancelReason).HasColumnName("cancel_reason").HasMaxLength(500);
            e.Property(o => o.DeadlineAt).HasColumnName("deadline_at");
            e.Property(o => o.Sequence).HasColumnName("sequence").IsConcurrencyToken();
            e.Property(o => o.CreatedAt).HasColumnName("created_at");
            e.Property(o => o.UpdatedAt).HasColumnName("updated_at");
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
            e.Property(l => l.OrderId).HasColumnName("order_id");
            e.Property(l => l.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(l => l.ProductId).HasColumnName("product_id");
            e.Property(l => l.MerchantId).HasColumnName("merchant_id");
            e.Property(l => l.Title).HasColumnName("title").HasMaxLength(300);
            e.Property(l => l.Quantity).HasColumnName("quantity");
            e.Property(l => l.UnitPrice).HasColumnName("unit_price").HasPrecision(12, 2);
            e.Property(l => l.ShippedAt).HasColumnName("shipped_at");
            e.Property(l => l.TrackingNumber).HasColumnName("tracking_number").HasMaxLength(100);
            e.HasIndex(l => l.MerchantId);
        });

        modelBuilder.Entity<OrderTransition>(e =>
        {
            e.ToTable("order_transitions");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(t => t.OrderId).HasColumnName("order_id");
            e.Property(t => t.Sequence).HasColumnName("sequence");
            e.Property(t => t.From).HasColumnName("from_status").HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.To).HasColumnName("to_status").HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.At).HasColumnName("at");
            e.Property(t => t.Actor).HasColumnName("actor").HasMaxLength(200);
            e.Property(t => t.Reason).HasColumnName("reason").HasMaxLength(500);
            e.HasIndex(t => new { t.OrderId, t.Sequence }).IsUnique();
        });

        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(r => new { r.BuyerId, r.Key });
            e.Property(r => r.BuyerId).HasColumnName("buyer_id");
            e.Property(r => r.Key).HasColumnName("key").HasMaxLength(IdempotencyRecord.MaxKeyLength);
            e.Property(r => r.RequestHash).HasColumnName("request_hash").HasMaxLength(64);
            e.Property(r => r.StatusCode).HasColumnName("status_code");
            e.Property(r => r.ResponseBody).HasColumnName("response_body");
            e.Property(r => r.OrderId).HasColumnName("order_id");
            e.Property(r => r.CreatedAt).HasColumnName("created_at");
        });
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
