using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Marketplace.Shared.Messaging;

/// <summary>
/// Handles the messages waiting for one idempotent consumer together: one transaction, one inbox insert for all of
/// them, the consumer's own handling for each message it claims, one save. A message is still handled once per
/// MessageId, with the same inbox rows the one-at-a-time consumer writes (a message handled either way is skipped the
/// other way). If the shared transaction fails, each message is tried again on its own, so one bad message does not
/// take the others with it; any that still fails fails the batch, which MassTransit retries and finally moves to the
/// error queue, as it does a single message. Nothing is acknowledged that was not handled.
/// </summary>
/// <remarks>
/// For the messages every order brings (a flash sale's replies and commands): a transaction, an inbox round trip and
/// a save per message were a large part of what each of them cost.
/// </remarks>
public sealed class IdempotentBatchConsumer<TConsumer, TMessage, TDbContext>(TConsumer consumer, TDbContext db, ILogger<TConsumer> logger)
    : IConsumer<Batch<TMessage>>
    where TConsumer : IdempotentConsumer<TMessage, TDbContext>
    where TMessage : class
    where TDbContext : DbContext
{
    public async Task Consume(ConsumeContext<Batch<TMessage>> context)
    {
        var messages = context.Message.Select(m => (Id: m.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a MessageId; it cannot be de-duplicated."), Context: m)).ToList();
        if (messages.Count == 1)
        {
            await consumer.Consume(messages[0].Context);
            return;
        }
        try
        {
            await HandleTogetherAsync(messages, context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "A batch of {Count} {Message} failed together; handling each on its own", messages.Count, typeof(TMessage).Name);
            await HandleOneByOneAsync(messages);
        }
    }

    private async Task HandleTogetherAsync(List<(Guid Id, ConsumeContext<TMessage> Context)> messages, CancellationToken ct)
    {
        var consumerName = typeof(TConsumer).FullName!;
        var ids = messages.Select(m => m.Id).Distinct().ToArray();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var claimed = (await db.Database.SqlQuery<Guid>($"""
                INSERT INTO inbox_messages (message_id, consumer, processed_at)
                SELECT id, {consumerName}, {DateTimeOffset.UtcNow} FROM unnest({ids}) AS id
                ON CONFLICT DO NOTHING
                RETURNING message_id AS "Value"
                """).ToListAsync(ct)).ToHashSet();
            MessagingTelemetry.DuplicatesSkipped.Add(ids.Length - claimed.Count);
            foreach (var (id, message) in messages)
            {
                if (claimed.Remove(id)) // once per MessageId, also when the broker delivered it twice into one batch
                {
                    await consumer.HandleInBatchAsync(message, ct);
                }
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        });
    }

    private async Task HandleOneByOneAsync(List<(Guid Id, ConsumeContext<TMessage> Context)> messages)
    {
        var failures = new List<Exception>();
        foreach (var (_, message) in messages)
        {
            try
            {
                db.ChangeTracker.Clear();
                await consumer.Consume(message);
            }
            catch (Exception e) when (!message.CancellationToken.IsCancellationRequested)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} of {messages.Count} {typeof(TMessage).Name} messages failed on their own too", failures);
        }
    }
}
