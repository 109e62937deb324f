using System.Collections.Concurrent;

namespace Marketplace.Shared.Concurrency;

/// <summary>
/// One fetch per key at a time: a caller that asks for a key while a fetch of it is in flight waits for that
/// fetch's answer instead of starting its own (a flash sale's hundreds of simultaneous price look-ups of one SKU
/// become one). Nothing is cached: once the fetch ends the next caller fetches afresh, so an answer is never
/// older than the request that received it by more than one fetch. A failed fetch fails every caller sharing it.
/// </summary>
public class SingleFlight<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _inFlight = new();

    /// <summary>
    /// The answer of the fetch in flight for <paramref name="key"/>, or of a new one. The fetch runs without the
    /// caller's token (others may be waiting for it); <paramref name="ct"/> only stops this caller's wait.
    /// </summary>
    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> fetch, CancellationToken ct)
    {
        var flight = _inFlight.GetOrAdd(key, _ => new Lazy<Task<TValue>>(() => FlyAsync(key, fetch)));
        return flight.Value.WaitAsync(ct);
    }

    private async Task<TValue> FlyAsync(TKey key, Func<Task<TValue>> fetch)
    {
        try
        {
            return await fetch();
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }
}
