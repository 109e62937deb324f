using Marketplace.Payment.Domain;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Payment.Data;

/// <summary>The Payment service's own database; nothing else reads it.</summary>
public sealed class PaymentDbContext(DbContextOptions<PaymentDbContext> options) : DbContext(options)
{
    /// <summary>
    /// Rows the processor has a provider call to make for (<see cref="PaymentIntent.NextStep"/> is not None).
    /// The claim query repeats it word for word so PostgreSQL uses the partial index built on it.
    /// </summary>
    public const string HasWorkSql =
        "status IN ('New', 'Processing') OR (status = 'Authorized' AND desired <> 'Authorized') OR (status = 'Captured' AND desired = 'Refunded')";

    public DbSet<PaymentIntent> PaymentIntents => Set<PaymentIntent>();

    public DbSet<PaymentOperation> PaymentOperations => Set<PaymentOperation>();

    /// <summary>Inserts the intent unless its order already has one (ON CONFLICT DO NOTHING); returns whether it was inserted.</summary>
    public async Task<bool> InsertIfAbsentAsync(PaymentIntent p, CancellationToken ct)
    {
        var inserted = await Database.ExecuteSqlAsync($"""
            INSERT INTO payment_intents (id, order_id, buyer_id, amount, currency, payment_method, capture_at_once, status, desired,
                captured_amount, refunded_amount, decline_reason, attempts, next_attempt_at, created_at, updated_at)
            VALUES ({p.Id}, {p.OrderId}, {p.BuyerId}, {p.Amount}, {p.Currency}, {p.PaymentMethod}, {p.CaptureAtOnce}, {p.Status.ToString()}, {p.Desired.ToString()},
                {p.CapturedAmount}, {p.RefundedAmount}, {p.DeclineReason}, {p.Attempts}, {p.NextAttemptAt}, {p.CreatedAt}, {p.UpdatedAt})
            ON CONFLICT (order_id) DO NOTHING
            """, ct) == 1;
        if (inserted)
        {
            // Written past the change tracker: the processor is woken at the commit all the same.
            Marketplace.Shared.Messaging.CommitSignalInterceptor<Processing.PaymentWorkSignalInterceptor>.MarkWork(this);
        }
        return inserted;
    }

    /// <summary>The order's payment, locked until the transaction ends; null when the order has none.</summary>
    public async Task<PaymentIntent?> LockByOrderAsync(Guid orderId, CancellationToken ct) =>
        (await PaymentIntents.FromSql($"SELECT * FROM payment_intents WHERE order_id = {orderId} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();

    public async Task<PaymentIntent?> LockAsync(Guid id, CancellationToken ct) =>
        (await PaymentIntents.FromSql($"SELECT * FROM payment_intents WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.Entity<PaymentIntent>(e =>
        {
            e.ToTable("payment_intents", t =>
            {
                t.HasCheckConstraint("ck_payment_intents_amount", "amount >= 0");
                t.HasCheckConstraint("ck_payment_intents_captured_within_amount", "captured_amount >= 0 AND captured_amount <= amount");
                t.HasCheckConstraint("ck_payment_intents_refunded_within_captured", "refunded_amount >= 0 AND refunded_amount <= captured_amount");
                t.HasCheckConstraint("ck_payment_intents_status", $"status IN ({Quoted<PaymentStatus>()})");
                t.HasCheckConstraint("ck_payment_intents_desired", $"desired IN ({Quoted<DesiredPaymentState>()})");
            });
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).ValueGeneratedNever();
            e.Property(p => p.Amount).HasColumnType("numeric(19,4)");
            e.Property(p => p.Currency).HasMaxLength(3);
            e.Property(p => p.PaymentMethod).HasMaxLength(100);
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Desired).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.ProviderIntentId).HasMaxLength(100);
            e.Property(p => p.CapturedAmount).HasColumnType("numeric(19,4)");
            e.Property(p => p.RefundedAmount).HasColumnType("numeric(19,4)");
            e.Property(p => p.DeclineReason).HasMaxLength(200);
            e.HasIndex(p => p.OrderId).IsUnique().HasDatabaseName("ux_payment_intents_order_id");
            e.HasIndex(p => p.ProviderIntentId).IsUnique().HasDatabaseName("ux_payment_intents_provider_intent_id")
                .HasFilter("provider_intent_id IS NOT NULL");
            // The processor's scan covers only rows with work left; settled payments never enter it again.
            e.HasIndex(p => p.NextAttemptAt).HasDatabaseName("ix_payment_intents_due").HasFilter(HasWorkSql);
        });
        modelBuilder.Entity<PaymentOperation>(e =>
        {
            e.ToTable("payment_operations");
            e.HasKey(o => o.Id);
            e.Property(o => o.Id).ValueGeneratedNever();
            e.Property(o => o.Kind).HasMaxLength(16);
            e.Property(o => o.IdempotencyKey).HasMaxLength(100);
            e.Property(o => o.Outcome).HasMaxLength(500);
            e.HasIndex(o => new { o.PaymentIntentId, o.At }).HasDatabaseName("ix_payment_operations_intent");
            e.HasOne<PaymentIntent>().WithMany().HasForeignKey(o => o.PaymentIntentId).OnDelete(DeleteBehavior.Cascade);
        });
        // Every column not named above is its property in snake_case (Marketplace.Shared.Data.SnakeCaseNaming).
        modelBuilder.UseSnakeCaseColumns();
    }

    private static string Quoted<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>().Select(n => $"'{n}'"));
}
