using Marketplace.Shared.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Shared.Messaging;

public static class MessagingModel
{
    /// <summary>Adds the outbox and inbox tables to a service's model; call from OnModelCreating.</summary>
    public static ModelBuilder AddOutboxAndInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).ValueGeneratedNever();
            e.Property(m => m.MessageType).HasMaxLength(500).IsRequired();
            e.Property(m => m.Body).HasColumnType("jsonb").IsRequired();
            e.Property(m => m.TraceParent).HasMaxLength(128);
            e.Property(m => m.TraceState).HasMaxLength(512);
            e.Property(m => m.CorrelationId).HasMaxLength(128);
            // The relay scans only unpublished rows; a partial index keeps that scan small forever.
            e.HasIndex(m => new { m.NextAttemptAt, m.CreatedAt })
                .HasDatabaseName("ix_outbox_messages_pending")
                .HasFilter("published_at IS NULL");
            e.HasSnakeCaseColumns();
        });

        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.Consumer).HasMaxLength(300);
            e.HasSnakeCaseColumns();
        });
        return modelBuilder;
    }

    /// <summary>
    /// Stages an integration event in the outbox. It is saved, and later published, only if the
    /// caller's SaveChanges (and its transaction) commits.
    /// </summary>
    public static OutboxMessage AddIntegrationEvent(this DbContext db, object message, TimeProvider? clock = null)
    {
        var row = OutboxMessage.Create(message, clock ?? TimeProvider.System);
        db.Set<OutboxMessage>().Add(row);
        return row;
    }

    internal static Guid NextId() => NewId.NextSequentialGuid();
}
