using System.Collections.Concurrent;
using System.Diagnostics;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Marketplace.Messaging.Tests;

public sealed record WidgetCreated(Guid WidgetId, string Name, DateTimeOffset OccurredAt);
public sealed record PoisonEvent(Guid Id);

/// <summary>Consumed only by a host a test starts late: until then no queue is bound for it.</summary>
public sealed record LateSubscribedEvent(Guid Id);

public sealed class Widget
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
}

/// <summary>Each handled message leaves one row; the inbox must keep it to one per MessageId.</summary>
public sealed class HandledWidget
{
    public long Id { get; set; }
    public Guid WidgetId { get; set; }
    public Guid MessageId { get; set; }
    public string? TraceId { get; set; }
}

public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<Widget> Widgets => Set<Widget>();
    public DbSet<HandledWidget> Handled => Set<HandledWidget>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddOutboxAndInbox();
}

public sealed class WidgetCreatedConsumer(TestDbContext db, ILogger<WidgetCreatedConsumer> logger)
    : IdempotentConsumer<WidgetCreated, TestDbContext>(db, logger)
{
    /// <summary>Lets a test hold the first delivery inside its transaction while a duplicate arrives.</summary>
    public static readonly ConcurrentDictionary<Guid, TaskCompletionSource> Gates = new();

    protected override async Task HandleAsync(WidgetCreated message, ConsumeContext<WidgetCreated> context, CancellationToken ct)
    {
        Db.Handled.Add(new HandledWidget
        {
            WidgetId = message.WidgetId,
            MessageId = context.MessageId!.Value,
            TraceId = Activity.Current?.TraceId.ToString(),
        });
        if (Gates.TryGetValue(message.WidgetId, out var gate))
        {
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
        }
    }
}

public sealed class PoisonConsumer : IConsumer<PoisonEvent>
{
    public static int Attempts;

    public Task Consume(ConsumeContext<PoisonEvent> context)
    {
        Interlocked.Increment(ref Attempts);
        throw new InvalidOperationException("This consumer always fails.");
    }
}

public sealed class LateSubscribedConsumer : IConsumer<LateSubscribedEvent>
{
    public static readonly ConcurrentDictionary<Guid, int> Handled = new();

    public Task Consume(ConsumeContext<LateSubscribedEvent> context)
    {
        Handled.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
