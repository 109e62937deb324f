using System.Collections.Concurrent;
using Marketplace.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace Marketplace.Ordering.Checkout;

public sealed class SoldOutMemoryOptions
{
    /// <summary>How long Inventory's "sold out" for a SKU answers later clicks here without asking again; zero turns it off.</summary>
    public TimeSpan For { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// What Inventory last said was left of SKUs that ran short, remembered for a moment (one per Ordering process). In a
/// flash sale half the clicks come after the last unit went: each of those was a round trip to Inventory (and a
/// refused reservation stored there) for the answer the click before it got. Within <see cref="SoldOutMemoryOptions.For"/>
/// such a click is answered here. It can only refuse, never sell, so it cannot oversell; a unit that comes back (an
/// expired hold, a cancellation, a restock) is offered again at most that long after. A hold granted for a SKU forgets
/// what was remembered of it.
/// One edge, bounded: two requests with the same Idempotency-Key at once, the first granted a hold by Inventory, the
/// second answered here. Whichever answer is stored first is the key's answer for both; if it is this refusal, the
/// first request's hold is nobody's and goes back to sale when it expires (Inventory's hold time).
/// </summary>
public sealed class SoldOutMemory(TimeProvider clock, IOptions<SoldOutMemoryOptions> options)
{
    private readonly ConcurrentDictionary<string, (int Left, DateTimeOffset Until)> _short = new(StringComparer.Ordinal);

    /// <summary>A sold-out answer for these lines from what Inventory said a moment ago, or null when it has to be asked.</summary>
    public ReserveOutcome? Recall(IReadOnlyCollection<StockLine> lines)
    {
        var now = clock.GetUtcNow();
        Dictionary<string, int>? left = null;
        foreach (var line in lines)
        {
            // Read once: a hold granted meanwhile may remove the entry.
            if (_short.TryGetValue(line.Sku, out var known) && known.Until > now && known.Left < line.Quantity)
            {
                (left ??= new(StringComparer.Ordinal))[line.Sku] = known.Left;
            }
        }
        return left is null ? null : new ReserveOutcome(false, "out of stock", [.. left.Keys], Left: left);
    }

    /// <summary>Takes note of Inventory's answer to a hold.</summary>
    public void Learn(IReadOnlyCollection<StockLine> lines, ReserveOutcome answer)
    {
        if (answer.Reserved)
        {
            foreach (var line in lines)
            {
                _short.TryRemove(line.Sku, out _);
            }
            return;
        }
        if (options.Value.For <= TimeSpan.Zero || answer.Skus is null || answer.Left is null)
        {
            return;
        }
        var until = clock.GetUtcNow() + options.Value.For;
        foreach (var sku in answer.Skus)
        {
            if (answer.Left.TryGetValue(sku, out var left))
            {
                _short[sku] = (left, until);
            }
        }
    }
}
