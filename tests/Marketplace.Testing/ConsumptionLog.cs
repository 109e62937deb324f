using System.Collections.Concurrent;
using MassTransit;

namespace Marketplace.Testing;

/// <summary>What became of one delivery: handled (no exception) or failed.</summary>
public sealed record ConsumeOutcome(Exception? Exception);

/// <summary>
/// Every handled or failed consumption on a bus, in order, per MessageId (MassTransit's test harness keeps one entry
/// per MessageId, so it cannot tell a redelivery). Connect it with <c>bus.ConnectConsumeObserver(log)</c>.
/// </summary>
public sealed class ConsumptionLog : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, List<ConsumeOutcome>> _outcomes = new();

    public IReadOnlyList<ConsumeOutcome> For(Guid messageId)
    {
        var list = _outcomes.GetOrAdd(messageId, _ => []);
        lock (list)
        {
            return list.ToList();
        }
    }

    /// <summary>Publishes with a chosen MessageId and waits until that delivery has been handled or has failed.</summary>
    public async Task<ConsumeOutcome> DeliverAsync<T>(IBus bus, T message, Guid messageId) where T : class
    {
        var before = For(messageId).Count;
        await bus.Publish(message, context => context.MessageId = messageId);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (For(messageId) is { } outcomes && outcomes.Count > before)
            {
                return outcomes[before];
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"{typeof(T).Name} {messageId} was not consumed.");
    }

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Record(context.MessageId, null);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Record(context.MessageId, exception);

    private Task Record(Guid? messageId, Exception? exception)
    {
        if (messageId is { } id)
        {
            var list = _outcomes.GetOrAdd(id, _ => []);
            lock (list)
            {
                list.Add(new ConsumeOutcome(exception));
            }
        }
        return Task.CompletedTask;
    }
}
