using Marketplace.Inventory.Domain;
using Marketplace.Shared.Messaging;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.Data;

/// <summary>
/// The Inventory service's own database; nothing else reads it. The database itself refuses what must
/// never happen: negative stock, more reserved than on hand (so no oversell, whatever the code does).
/// </summary>
public sealed class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : DbContext(options)
{
    public DbSet<Warehouse> Warehouses => Set<Warehouse>();
    public DbSet<StockItem> Items => Set<StockItem>();
    public DbSet<StockLevel> Levels => Set<StockLevel>();
    public DbSet<Reservation> Reservations => Set<Reservation>();
    public DbSet<ReservationLine> ReservationLines => Set<ReservationLine>();
    public DbSet<StockMovement> Movements => Set<StockMovement>();
    public DbSet<CompletedSeed> CompletedSeeds => Set<CompletedSeed>();
    public DbSet<ExternalSystem> ExternalSystems => Set<ExternalSystem>();
    public DbSet<ExternalStock> ExternalStock => Set<ExternalStock>();
    public DbSet<ExternalEvent> ExternalEvents => Set<ExternalEvent>();
    public DbSet<OutboundChange> OutboundChanges => Set<OutboundChange>();
    public DbSet<ReconciliationRun> ReconciliationRuns => Set<ReconciliationRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutboxAndInbox();

        modelBuilder.Entity<Warehouse>(e =>
        {
            e.ToTable("warehouses");
            e.HasKey(w => w.Code);
            e.Property(w => w.Code).HasColumnName("code").HasMaxLength(32);
            e.Property(w => w.Name).HasColumnName("name").HasMaxLength(200);
            e.HasData(new Warehouse { Code = Warehouse.Main, Name = "Main warehouse" });
        });

        modelBuilder.Entity<StockItem>(e =>
        {
            e.ToTable("stock_items");
            e.HasKey(i => i.Sku);
            e.Property(i => i.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(i => i.MerchantId).HasColumnName("merchant_id");
            e.Property(i => i.ProductId).HasColumnName("product_id");
            e.Property(i => i.Version).HasColumnName("version");
            e.Property(i => i.LowStockThreshold).HasColumnName("low_stock_threshold");
            e.Property(i => i.CreatedAt).HasColumnName("created_at");
            e.Property(i => i.UpdatedAt).HasColumnName("updated_at");
            e.HasIndex(i => i.MerchantId);
            e.ToTable(t => t.HasCheckConstraint("ck_stock_items_threshold", "low_stock_threshold >= 0"));
        });

        modelBuilder.Entity<StockLevel>(e =>
        {
            e.ToTable("stock_levels", t =>
            {
                t.HasCheckConstraint("ck_stock_levels_on_hand", "on_hand >= 0");
                t.HasCheckConstraint("ck_stock_levels_reserved", "reserved >= 0");
                // Available = on_hand - reserved never goes below zero: oversell is refused by the database.
                t.HasCheckConstraint("ck_stock_levels_available", "on_hand >= reserved");
            });
            e.HasKey(l => new { l.Sku, l.Warehouse });
            e.Property(l => l.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(l => l.Warehouse).HasColumnName("warehouse").HasMaxLength(32);
            e.Property(l => l.OnHand).HasColumnName("on_hand");
            e.Property(l => l.Reserved).HasColumnName("reserved");
            e.HasOne<StockItem>().WithMany().HasForeignKey(l => l.Sku);
            e.HasOne<Warehouse>().WithMany().HasForeignKey(l => l.Warehouse);
        });

        modelBuilder.Entity<Reservation>(e =>
        {
            e.ToTable("reservations");
            e.HasKey(r => r.OrderId);
            e.Property(r => r.OrderId).HasColumnName("order_id").ValueGeneratedNever();
            e.Property(r => r.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.HoldUntil).HasColumnName("hold_until");
            e.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(500);
            e.Property(r => r.CreatedAt).HasColumnName("created_at");
            e.Property(r => r.UpdatedAt).HasColumnName("updated_at");
            // The expiry job looks only at holds that can expire.
            e.HasIndex(r => r.HoldUntil).HasDatabaseName("ix_reservations_expiring").HasFilter("status = 'Held'");
        });

        modelBuilder.Entity<ReservationLine>(e =>
        {
            e.ToTable("reservation_lines", t => t.HasCheckConstraint("ck_reservation_lines_quantity", "quantity > 0"));
            e.HasKey(l => new { l.OrderId, l.Sku, l.Warehouse });
            e.Property(l => l.OrderId).HasColumnName("order_id");
            e.Property(l => l.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(l => l.Warehouse).HasColumnName("warehouse").HasMaxLength(32);
            e.Property(l => l.Quantity).HasColumnName("quantity");
            e.Property(l => l.Committed).HasColumnName("committed");
            e.HasOne<Reservation>().WithMany().HasForeignKey(l => l.OrderId);
            e.HasIndex(l => new { l.Sku, l.Warehouse });
        });

        modelBuilder.Entity<CompletedSeed>(e =>
        {
            e.ToTable("completed_seeds");
            e.HasKey(c => c.Name);
            e.Property(c => c.Name).HasColumnName("name").HasMaxLength(100);
            e.Property(c => c.CompletedAt).HasColumnName("completed_at");
        });

        modelBuilder.Entity<StockMovement>(e =>
        {
            e.ToTable("stock_movements");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(m => m.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(m => m.MerchantId).HasColumnName("merchant_id");
            e.Property(m => m.Warehouse).HasColumnName("warehouse").HasMaxLength(32);
            e.Property(m => m.OnHandDelta).HasColumnName("on_hand_delta");
            e.Property(m => m.ReservedDelta).HasColumnName("reserved_delta");
            e.Property(m => m.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(16);
            e.Property(m => m.Reference).HasColumnName("reference").HasMaxLength(500);
            e.Property(m => m.Actor).HasColumnName("actor").HasMaxLength(200);
            e.Property(m => m.At).HasColumnName("at");
            e.HasIndex(m => new { m.Sku, m.Id });
        });

        modelBuilder.Entity<ExternalSystem>(e =>
        {
            e.ToTable("external_systems");
            e.HasKey(x => x.Code);
            e.Property(x => x.Code).HasColumnName("code").HasMaxLength(32);
            e.Property(x => x.Warehouse).HasColumnName("warehouse").HasMaxLength(32);
            e.Property(x => x.Breaker).HasColumnName("breaker").HasMaxLength(16);
            e.Property(x => x.BreakerChangedAt).HasColumnName("breaker_changed_at");
            e.Property(x => x.LastInboundAt).HasColumnName("last_inbound_at");
            e.Property(x => x.LastInboundLagMs).HasColumnName("last_inbound_lag_ms");
            e.Property(x => x.LastOutboundAt).HasColumnName("last_outbound_at");
            e.Property(x => x.DeliveryFailures).HasColumnName("delivery_failures");
            e.Property(x => x.RejectedInbound).HasColumnName("rejected_inbound");
            e.Property(x => x.LastError).HasColumnName("last_error").HasMaxLength(1000);
            e.Property(x => x.LastErrorAt).HasColumnName("last_error_at");
            e.Property(x => x.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(100);
            e.Property(x => x.LeaseUntil).HasColumnName("lease_until");
            e.HasOne<Warehouse>().WithMany().HasForeignKey(x => x.Warehouse);
        });

        modelBuilder.Entity<ExternalStock>(e =>
        {
            e.ToTable("external_stock", t => t.HasCheckConstraint("ck_external_stock_on_hand", "on_hand >= 0"));
            e.HasKey(x => new { x.System, x.Sku });
            e.Property(x => x.System).HasColumnName("system").HasMaxLength(32);
            e.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(x => x.OnHand).HasColumnName("on_hand");
            e.Property(x => x.Version).HasColumnName("version");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.HasOne<ExternalSystem>().WithMany().HasForeignKey(x => x.System);
        });

        modelBuilder.Entity<ExternalEvent>(e =>
        {
            e.ToTable("external_events");
            e.HasKey(x => new { x.System, x.EventId });
            e.Property(x => x.System).HasColumnName("system").HasMaxLength(32);
            e.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(100);
            e.Property(x => x.Source).HasColumnName("source").HasMaxLength(16);
            e.Property(x => x.OccurredAt).HasColumnName("occurred_at");
            e.Property(x => x.ReceivedAt).HasColumnName("received_at");
            e.Property(x => x.Outcome).HasColumnName("outcome").HasMaxLength(200);
            e.HasIndex(x => x.ReceivedAt);
        });

        modelBuilder.Entity<OutboundChange>(e =>
        {
            e.ToTable("outbound_changes", t => t.HasCheckConstraint("ck_outbound_changes_delta", "delta <> 0"));
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.System).HasColumnName("system").HasMaxLength(32);
            e.Property(x => x.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
            e.Property(x => x.Delta).HasColumnName("delta");
            e.Property(x => x.Reference).HasColumnName("reference").HasMaxLength(500);
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.Attempts).HasColumnName("attempts");
            e.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at");
            e.Property(x => x.DeliveredAt).HasColumnName("delivered_at");
            e.Property(x => x.Refused).HasColumnName("refused");
            e.Property(x => x.LastError).HasColumnName("last_error").HasMaxLength(1000);
            e.Ignore(x => x.IdempotencyKey);
            e.HasOne<ExternalSystem>().WithMany().HasForeignKey(x => x.System);
            // The relay's queue: what is still to deliver, per system, in order.
            e.HasIndex(x => new { x.System, x.Id }).HasDatabaseName("ix_outbound_changes_pending").HasFilter("delivered_at IS NULL");
        });

        modelBuilder.Entity<ReconciliationRun>(e =>
        {
            e.ToTable("reconciliation_runs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.System).HasColumnName("system").HasMaxLength(32);
            e.Property(x => x.StartedAt).HasColumnName("started_at");
            e.Property(x => x.FinishedAt).HasColumnName("finished_at");
            e.Property(x => x.Checked).HasColumnName("checked");
            e.Property(x => x.Drifted).HasColumnName("drifted");
            e.Property(x => x.Fixed).HasColumnName("fixed");
            e.Property(x => x.Skipped).HasColumnName("skipped");
            e.Property(x => x.Error).HasColumnName("error").HasMaxLength(1000);
            e.Property(x => x.Findings).HasColumnName("findings").HasColumnType("jsonb").HasConversion(
                v => System.Text.Json.JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
                v => System.Text.Json.JsonSerializer.Deserialize<List<ReconciliationFinding>>(v, JsonSerializerOptions.Web) ?? new List<ReconciliationFinding>(),
                new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<ReconciliationFinding>>(
                    (a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
            e.HasIndex(x => new { x.System, x.Id });
        });
    }
}
