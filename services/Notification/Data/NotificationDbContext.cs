using Marketplace.Notification.Domain;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Notification.Data;

/// <summary>The Notification service's own database; nothing else reads it.</summary>
public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options) : DbContext(options)
{
    public DbSet<InAppNotification> Notifications => Set<InAppNotification>();
    public DbSet<EmailMessage> EmailMessages => Set<EmailMessage>();
    public DbSet<Contact> Contacts => Set<Contact>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutboxAndInbox();

        modelBuilder.Entity<InAppNotification>(e =>
        {
            e.ToTable("notifications", t =>
            {
                t.HasCheckConstraint("ck_notifications_one_recipient", "(user_id IS NULL) <> (merchant_id IS NULL)");
                t.HasCheckConstraint("ck_notifications_kind",
                    $"kind IN ({string.Join(", ", NotificationKinds.All.Select(k => $"'{k}'"))})");
            });
            e.HasKey(n => n.Id);
            e.Property(n => n.Id).ValueGeneratedNever();
            e.Property(n => n.Kind).HasMaxLength(40).IsRequired();
            e.Property(n => n.Title).HasMaxLength(200).IsRequired();
            e.Property(n => n.Body).IsRequired();
            e.Property(n => n.Sku).HasMaxLength(100);
            // An inbox is read newest first, per user or per merchant.
            e.HasIndex(n => new { n.UserId, n.CreatedAt }).HasDatabaseName("ix_notifications_user").HasFilter("user_id IS NOT NULL");
            e.HasIndex(n => new { n.MerchantId, n.CreatedAt }).HasDatabaseName("ix_notifications_merchant").HasFilter("merchant_id IS NOT NULL");
            e.HasIndex(n => n.CreatedAt).HasDatabaseName("ix_notifications_created_at");
            e.HasOne(n => n.Email).WithOne().HasForeignKey<EmailMessage>(m => m.NotificationId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<EmailMessage>(e =>
        {
            e.ToTable("email_messages", t => t.HasCheckConstraint("ck_email_messages_status", "status IN ('Pending', 'Sent', 'Failed')"));
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).ValueGeneratedNever();
            e.Property(m => m.ToAddress).HasMaxLength(320).IsRequired();
            e.Property(m => m.Subject).HasMaxLength(300).IsRequired();
            e.Property(m => m.TextBody).IsRequired();
            e.Property(m => m.HtmlBody).IsRequired();
            e.Property(m => m.Status).HasConversion<string>().HasMaxLength(10);
            e.Ignore(m => m.MessageId);
            // One e-mail per notification: a second would be a duplicate send.
            e.HasIndex(m => m.NotificationId).IsUnique().HasDatabaseName("ux_email_messages_notification");
            // The sender scans only unsent rows; a partial index keeps that scan small forever.
            e.HasIndex(m => m.NextAttemptAt).HasDatabaseName("ix_email_messages_due").HasFilter("status = 'Pending'");
        });
        modelBuilder.Entity<Contact>(e =>
        {
            e.ToTable("contacts");
            e.HasKey(c => c.UserId);
            e.Property(c => c.UserId).ValueGeneratedNever();
            e.Property(c => c.Email).HasMaxLength(320).IsRequired();
            e.Property(c => c.DisplayName).HasMaxLength(200).IsRequired();
            e.Property(c => c.EmailPreferences).IsJsonbMap();
        });
        // Every column not named above is its property in snake_case (Marketplace.Shared.Data.SnakeCaseNaming).
        modelBuilder.UseSnakeCaseColumns();
    }
}
