using System.Diagnostics;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Messaging.Tests;

public sealed class OutboxInboxTests(MessagingFixture fixture)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Committed_event_is_delivered_and_handled_once()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "commit");

        var widgetId = await host.CreateWidgetAsync("blue");

        await MessagingHost.EventuallyAsync(async () => (await host.HandledAsync(widgetId)).Count > 0, Delivery, "the event is handled");
        // The consumer may finish before the relay's transaction marking the row published commits (it commits after the
        // broker's confirm): the mark is waited for, not assumed.
        await MessagingHost.EventuallyAsync(
            () => host.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.PublishedAt != null)), Delivery, "the row is marked published");
        var row = await host.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync());
        await MessagingHost.EventuallyAsync(() => Task.FromResult(host.Observer.Completed(row.Id) == 1), Delivery, "the consumer completes");
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var handled = Assert.Single(await host.HandledAsync(widgetId));
        Assert.Equal(row.Id, handled.MessageId);
    }

    [Fact]
    public async Task An_idle_relay_sleeps_between_polls_instead_of_waking_itself()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "idle");
        var widgetId = await host.CreateWidgetAsync("one event, then quiet");
        await MessagingHost.EventuallyAsync(async () => (await host.HandledAsync(widgetId)).Count > 0, Delivery, "the event is handled");
        await Task.Delay(1500, TestContext.Current.CancellationToken);

        var before = await CommitsAsync(host);
        await Task.Delay(4000, TestContext.Current.CancellationToken);
        var commits = await CommitsAsync(host) - before;

        // Polling every 500 ms commits about 8 times in 4 s; a relay woken by its own commits, thousands of times.
        Assert.InRange(commits, 1, 60);
    }

    private static Task<long> CommitsAsync(MessagingHost host) => host.WithDbAsync(db =>
        db.Database.SqlQuery<long>($"SELECT xact_commit AS \"Value\" FROM pg_stat_database WHERE datname = current_database()").SingleAsync());

    [Fact]
    public async Task Rolled_back_transaction_publishes_nothing()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "rollback");
        var rolledBack = Guid.NewGuid();

        await host.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Widgets.Add(new Widget { Id = rolledBack, Name = "never" });
            db.AddIntegrationEvent(new WidgetCreated(rolledBack, "never", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        });
        var marker = await host.CreateWidgetAsync("marker");

        await MessagingHost.EventuallyAsync(async () => (await host.HandledAsync(marker)).Count == 1, Delivery, "the later committed event is handled");
        Assert.Empty(await host.HandledAsync(rolledBack));
        Assert.Equal(1, await host.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync()));
    }

    [Fact]
    public async Task Event_committed_while_broker_is_down_is_delivered_once_it_returns()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "outage");
        await fixture.StopBrokerAsync();
        try
        {
            var widgetId = await host.CreateWidgetAsync("during outage");

            await MessagingHost.EventuallyAsync(
                () => host.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.Attempts > 0 && m.PublishedAt == null)),
                Delivery, "the relay tries and records the failure");
            Assert.Empty(await host.HandledAsync(widgetId));

            await fixture.RestartBrokerAsync();
            await MessagingHost.EventuallyAsync(async () => (await host.HandledAsync(widgetId)).Count > 0, TimeSpan.FromSeconds(90), "the event is delivered after the broker returns");
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            Assert.Single(await host.HandledAsync(widgetId));
        }
        finally
        {
            if (!await Marketplace.Testing.Probes.AmqpAsync("127.0.0.1", fixture.RabbitPort, CancellationToken.None))
            {
                await fixture.RestartBrokerAsync();
            }
        }
    }

    [Fact]
    public async Task Event_published_before_any_consumer_has_a_queue_is_kept_until_one_does()
    {
        // As on a first start, when Identity announces its seeded accounts before Users has ever declared its queue.
        await using var publisher = await MessagingHost.StartAsync(fixture, "early");
        var id = Guid.NewGuid();
        await publisher.WithDbAsync(async db =>
        {
            db.AddIntegrationEvent(new LateSubscribedEvent(id));
            await db.SaveChangesAsync();
        });

        await MessagingHost.EventuallyAsync(
            () => publisher.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m =>
                m.MessageType.Contains(nameof(LateSubscribedEvent)) && m.Attempts > 0 && m.PublishedAt == null && m.LastError!.Contains("No queue is bound"))),
            Delivery, "the broker returns the message and the relay keeps it");
        Assert.False(LateSubscribedConsumer.Handled.ContainsKey(id));

        await using var subscriber = await MessagingHost.StartAsync(fixture, "late", x => x.AddConsumer<LateSubscribedConsumer>());
        await MessagingHost.EventuallyAsync(() => Task.FromResult(LateSubscribedConsumer.Handled.ContainsKey(id)), Delivery,
            "the kept message is published again once a queue is bound, and consumed");
        await MessagingHost.EventuallyAsync(
            () => publisher.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.MessageType.Contains(nameof(LateSubscribedEvent)) && m.PublishedAt != null)),
            Delivery, "the row is marked published");
        Assert.Equal(1, LateSubscribedConsumer.Handled[id]);
    }

    [Fact]
    public async Task Same_message_delivered_twice_concurrently_is_handled_once()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "duplicate");
        var bus = host.Services.GetRequiredService<IBus>();
        var widgetId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        WidgetCreatedConsumer.Gates[widgetId] = gate;
        var message = new WidgetCreated(widgetId, "twice", DateTimeOffset.UtcNow);

        // The first delivery holds its transaction open while the redelivery arrives.
        await bus.Publish(message, ctx => ctx.MessageId = messageId, TestContext.Current.CancellationToken);
        await MessagingHost.EventuallyAsync(
            () => host.WithDbAsync(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE state = 'idle in transaction'").SingleAsync().ContinueWith(t => t.Result > 0)),
            Delivery, "the first delivery is inside its transaction");
        await bus.Publish(message, ctx => ctx.MessageId = messageId, TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        gate.SetResult();

        await MessagingHost.EventuallyAsync(() => Task.FromResult(host.Observer.Completed(messageId) == 2), Delivery, "both deliveries complete");
        Assert.Single(await host.HandledAsync(widgetId));

        // A later sequential redelivery (the relay crashed after publishing) is skipped as well.
        await bus.Publish(message, ctx => ctx.MessageId = messageId, TestContext.Current.CancellationToken);
        await MessagingHost.EventuallyAsync(() => Task.FromResult(host.Observer.Completed(messageId) == 3), Delivery, "the third delivery completes");
        Assert.Single(await host.HandledAsync(widgetId));
        WidgetCreatedConsumer.Gates.TryRemove(widgetId, out _);
    }

    [Fact]
    public async Task Message_whose_consumer_always_fails_ends_in_the_error_queue()
    {
        await using var host = await MessagingHost.StartAsync(fixture, "poison");
        var before = Volatile.Read(ref PoisonConsumer.Attempts);

        var rowId = await host.WithDbAsync(async db =>
        {
            var row = db.AddIntegrationEvent(new PoisonEvent(Guid.NewGuid()));
            await db.SaveChangesAsync();
            return row.Id;
        });

        var errorQueue = new KebabCaseEndpointNameFormatter(host.EndpointPrefix, false).Consumer<PoisonConsumer>() + "_error";
        await MessagingHost.EventuallyAsync(async () =>
        {
            try
            {
                return await fixture.QueueMessageCountAsync(errorQueue) == 1;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return false; // the error queue is declared when the first fault is moved
            }
        }, Delivery, "the message reaches " + errorQueue);

        Assert.Equal([rowId.ToString()], await fixture.QueueMessageIdsAsync(errorQueue));
        Assert.Equal(5, Volatile.Read(ref PoisonConsumer.Attempts) - before); // first try + 4 retries
    }

    [Fact]
    public async Task Trace_context_flows_from_the_writer_to_the_consumer()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Marketplace.Tests");
        await using var host = await MessagingHost.StartAsync(fixture, "trace");

        Guid widgetId;
        string traceId;
        using (var request = source.StartActivity("POST /widgets", ActivityKind.Server))
        {
            traceId = request!.TraceId.ToString();
            widgetId = await host.CreateWidgetAsync("traced");
        }

        await MessagingHost.EventuallyAsync(async () => (await host.HandledAsync(widgetId)).Count > 0, Delivery, "the event is handled");
        Assert.Equal(traceId, (await host.HandledAsync(widgetId)).Single().TraceId);
    }
}
