using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Marketplace.Shared.Messaging;

/// <summary>
/// A consumer whose effect happens once per MessageId. The inbox row is inserted first, on its
/// primary key, in the same transaction as the handler's changes: a concurrent duplicate waits on
/// that key and then finds it taken, a redelivery after a rollback finds it free. Exceptions
/// propagate, so MassTransit retries and finally moves the message to the error queue.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TDbContext>(TDbContext db, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : DbContext
{
    protected TDbContext Db { get; } = db;

    protected ILogger Logger => logger;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a MessageId; it cannot be de-duplicated.");
        var consumerName = GetType().FullName!;
        var ct = context.CancellationToken;

        var strategy = Db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            Db.ChangeTracker.Clear();
            await using var tx = await Db.Database.BeginTransactionAsync(ct);
            var claimed = await Db.Database.ExecuteSqlAsync(
                $"INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES ({messageId}, {consumerName}, {DateTimeOffset.UtcNow}) ON CONFLICT DO NOTHING",
                ct);
            if (claimed == 0)
            {
                MessagingTelemetry.DuplicatesSkipped.Add(1);
                logger.LogInformation("Message {MessageId} already handled by {Consumer}; skipped", messageId, consumerName);
                return;
            }

            await HandleAsync(context.Message, context, ct);
            await Db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        });
    }

    /// <summary>Applies the message's effect through <see cref="Db"/>; saving and committing are done for you.</summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context, CancellationToken ct);
}
