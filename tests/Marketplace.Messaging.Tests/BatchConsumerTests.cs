using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Messaging.Tests;

/// <summary>
/// Messages handled in batches: many in one transaction, each once per MessageId (also when delivered twice), and a
/// message that fails does not take the others with it: they are handled, it ends in the error queue.
/// </summary>
public sealed class BatchConsumerTests(MessagingFixture fixture)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_burst_is_handled_in_shared_transactions_once_per_message_id_and_a_poison_message_fails_alone()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "batch");
        var bus = host.Services.GetRequiredService<IBus>();
        var ct = TestContext.Current.CancellationToken;
        var widgets = Enumerable.Range(0, 40).Select(_ => (WidgetId: Guid.NewGuid(), MessageId: NewId.NextGuid())).ToList();
        var poisonId = NewId.NextGuid();

        // The burst, with every message of its first half sent twice under the same MessageId, and one poison message.
        var sends = widgets.Select(w => bus.Publish(new WidgetCounted(w.WidgetId, Poison: false), c => c.MessageId = w.MessageId, ct))
            .Concat(widgets.Take(20).Select(w => bus.Publish(new WidgetCounted(w.WidgetId, Poison: false), c => c.MessageId = w.MessageId, ct)))
            .Append(bus.Publish(new WidgetCounted(Guid.NewGuid(), Poison: true), c => c.MessageId = poisonId, ct));
        await Task.WhenAll(sends);

        var errorQueue = new KebabCaseEndpointNameFormatter(host.EndpointPrefix, false).Consumer<WidgetCountedConsumer>() + "_error";
        await MessagingHost.EventuallyAsync(async () =>
        {
            try
            {
                return (await fixture.QueueMessageIdsAsync(errorQueue)).Contains(poisonId.ToString());
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return false; // the error queue is declared when the first fault is moved
            }
        }, Delivery, "the poison message reaches " + errorQueue);

        var handled = await host.WithDbAsync(db => db.Handled.AsNoTracking().Where(h => h.TransactionId != null).ToListAsync(ct));
        Assert.Equal(widgets.Select(w => w.MessageId).Order(), handled.Select(h => h.MessageId).Order()); // each once, the poison never
        Assert.True(handled.Select(h => h.TransactionId).Distinct().Count() < widgets.Count,
            $"40 messages in {handled.Select(h => h.TransactionId).Distinct().Count()} transactions: none were handled together");
        var inbox = await host.WithDbAsync(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM inbox_messages WHERE consumer = {typeof(WidgetCountedConsumer).FullName}").SingleAsync(ct));
        Assert.Equal(widgets.Count, inbox);
    }
}
