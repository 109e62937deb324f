using System.Text.Json;
using Marketplace.Inventory.Domain;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
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
            e.Property(w => w.Code).HasMaxLength(32);
            e.Property(w => w.Name).HasMaxLength(200);
            e.HasData(new Warehouse { Code = Warehouse.Main, Name = "Main warehouse" });
        });

        modelBuilder.Entity<StockItem>(e =>
        {
            e.ToTable("stock_items");
            e.HasKey(i => i.Sku);
            e.Property(i => i.Sku).HasMaxLength(64);
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
            e.Property(l => l.Sku).HasMaxLength(64);
            e.Property(l => l.Warehouse).HasMaxLength(32);
            e.HasOne<StockItem>().WithMany().HasForeignKey(l => l.Sku);
            e.HasOne<Warehouse>().WithMany().HasForeignKey(l => l.Warehouse);
        });

        modelBuilder.Entity<Reservation>(e =>
        {
            e.ToTable("reservations");
            e.HasKey(r => r.OrderId);
            e.Property(r => r.OrderId).ValueGeneratedNever();
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Reason).HasMaxLength(500);
            // The expiry job looks only at holds that can expire.
            e.HasIndex(r => r.HoldUntil).HasDatabaseName("ix_reservations_expiring").HasFilter("status = 'Held'");
        });

        modelBuilder.Entity<ReservationLine>(e =>
        {
            e.ToTable("reservation_lines", t => t.HasCheckConstraint("ck_reservation_lines_quantity", "quantity > 0"));
            e.HasKey(l => new { l.OrderId, l.Sku, l.Warehouse });
            e.Property(l => l.Sku).HasMaxLength(64);
            e.Property(l => l.Warehouse).HasMaxLength(32);
            e.HasOne<Reservation>().WithMany().HasForeignKey(l => l.OrderId);
            e.HasIndex(l => new { l.Sku, l.Warehouse });
        });

        modelBuilder.Entity<CompletedSeed>(e =>
        {
            e.ToTable("completed_seeds");
            e.HasKey(c => c.Name);
            e.Property(c => c.Name).HasMaxLength(100);
        });

        modelBuilder.Entity<StockMovement>(e =>
        {
            e.ToTable("stock_movements");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).UseIdentityAlwaysColumn();
            e.Property(m => m.Sku).HasMaxLength(64);
            e.Property(m => m.Warehouse).HasMaxLength(32);
            e.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(m => m.Reference).HasMaxLength(500);
            e.Property(m => m.Actor).HasMaxLength(200);
            e.HasIndex(m => new { m.Sku, m.Id });
        });

        modelBuilder.Entity<ExternalSystem>(e =>
        {
            e.ToTable("external_systems");
            e.HasKey(x => x.Code);
            e.Property(x => x.Code).HasMaxLength(32);
            e.Property(x => x.Warehouse).HasMaxLength(32);
            e.Property(x => x.Breaker).HasMaxLength(16);
            e.Property(x => x.LastError).HasMaxLength(1000);
            e.Property(x => x.LeaseOwner).HasMaxLength(100);
            e.HasOne<Warehouse>().WithMany().HasForeignKey(x => x.Warehouse);
        });

        modelBuilder.Entity<ExternalStock>(e =>
        {
            e.ToTable("external_stock", t => t.HasCheckConstraint("ck_external_stock_on_hand", "on_hand >= 0"));
            e.HasKey(x => new { x.System, x.Sku });
            e.Property(x => x.System).HasMaxLength(32);
            e.Property(x => x.Sku).HasMaxLength(64);
            e.HasOne<ExternalSystem>().WithMany().HasForeignKey(x => x.System);
        });

        modelBuilder.Entity<ExternalEvent>(e =>
        {
            e.ToTable("external_events");
            e.HasKey(x => new { x.System, x.EventId });
            e.Property(x => x.System).HasMaxLength(32);
            e.Property(x => x.EventId).HasMaxLength(100);
            e.Property(x => x.Source).HasMaxLength(16);
            e.Property(x => x.Outcome).HasMaxLength(200);
            e.HasIndex(x => x.ReceivedAt);
        });

        modelBuilder.Entity<OutboundChange>(e =>
        {
            e.ToTable("outbound_changes", t => t.HasCheckConstraint("ck_outbound_changes_delta", "delta <> 0"));
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.System).HasMaxLength(32);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Sku).HasMaxLength(64);
            e.Property(x => x.Reference).HasMaxLength(500);
            e.Property(x => x.LastError).HasMaxLength(1000);
            e.Ignore(x => x.IdempotencyKey);
            e.HasOne<ExternalSystem>().WithMany().HasForeignKey(x => x.System);
            // The relay's queue: what is still to deliver, per system, in order.
            e.HasIndex(x => new { x.System, x.Id }).HasDatabaseName("ix_outbound_changes_pending").HasFilter("delivered_at IS NULL");
        });

        modelBuilder.Entity<ReconciliationRun>(e =>
        {
            e.ToTable("reconciliation_runs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.System).HasMaxLength(32);
            e.Property(x => x.Error).HasMaxLength(1000);
            e.Property(x => x.Findings).HasColumnType("jsonb").HasConversion(
                v => System.Text.Json.JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
                v => System.Text.Json.JsonSerializer.Deserialize<List<ReconciliationFinding>>(v, JsonSerializerOptions.Web) ?? new List<ReconciliationFinding>(),
                new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<ReconciliationFinding>>(
                    (a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
            e.HasIndex(x => new { x.System, x.Id });
        });
        // Every column not named above is its property in snake_case (Marketplace.Shared.Data.SnakeCaseNaming).
        modelBuilder.UseSnakeCaseColumns();
    }
}
