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
/// </summary>
public sealed class SoldOutMemory(TimeProvider clock, IOptions<SoldOutMemoryOptions> options)
{
    private readonly ConcurrentDictionary<string, (int Left, DateTimeOffset Until)> _short = new(StringComparer.Ordinal);

    /// <summary>A sold-out answer for these lines from what Inventory said a moment ago, or null when it has to be asked.</summary>
    public ReserveOutcome? Recall(IReadOnlyCollection<StockLine> lines)
    {
        var now = clock.GetUtcNow();
        var shortLines = lines.Where(l => _short.TryGetValue(l.Sku, out var known) && known.Until > now && known.Left < l.Quantity).ToList();
        return shortLines.Count == 0
            ? null
            : new ReserveOutcome(false, "out of stock", [.. shortLines.Select(l => l.Sku)], Left: shortLines.ToDictionary(l => l.Sku, l => _short[l.Sku].Left, StringComparer.Ordinal));
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
