using Marketplace.Ordering.Checkout;
using Marketplace.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace Marketplace.Ordering.Tests;

/// <summary>Inventory's "sold out", remembered for a moment: it answers only what Inventory said, only for as long as allowed.</summary>
public sealed class SoldOutMemoryTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly ReserveOutcome LampSoldOut = new(false, "out of stock", ["LAMP"], Left: new Dictionary<string, int> { ["LAMP"] = 0 });

    private static (SoldOutMemory Memory, Clock Clock) Memory(TimeSpan? remember = null)
    {
        var clock = new Clock();
        return (new SoldOutMemory(clock, Options.Create(new SoldOutMemoryOptions { For = remember ?? TimeSpan.FromSeconds(1) })), clock);
    }

    [Fact]
    public void A_sku_inventory_called_sold_out_is_answered_sold_out_until_the_moment_passes()
    {
        var (memory, clock) = Memory();
        StockLine[] lamp = [new("LAMP", 1)];
        Assert.Null(memory.Recall(lamp)); // nothing known: Inventory is asked

        memory.Learn(lamp, LampSoldOut);
        var recalled = memory.Recall([new("LAMP", 1), new("RUG", 2)]);
        Assert.NotNull(recalled);
        Assert.False(recalled.Reserved);
        Assert.Equal(["LAMP"], recalled.Skus);
        Assert.Equal(0, recalled.Left!["LAMP"]);
        Assert.Null(memory.Recall([new("RUG", 2)])); // another SKU is not affected

        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Null(memory.Recall(lamp)); // the moment has passed: a returned unit can be found
    }

    [Fact]
    public void Only_an_order_for_more_than_was_left_is_answered_here()
    {
        var (memory, _) = Memory();
        memory.Learn([new("LAMP", 5)], new ReserveOutcome(false, "out of stock", ["LAMP"], Left: new Dictionary<string, int> { ["LAMP"] = 2 }));

        Assert.Equal(2, memory.Recall([new("LAMP", 3)])!.Left!["LAMP"]);
        Assert.Null(memory.Recall([new("LAMP", 2)])); // two might still be there: Inventory decides
    }

    [Fact]
    public void A_hold_granted_for_a_sku_forgets_that_it_ran_short()
    {
        var (memory, _) = Memory();
        StockLine[] lamp = [new("LAMP", 1)];
        memory.Learn(lamp, LampSoldOut);

        memory.Learn(lamp, new ReserveOutcome(true, HoldUntil: DateTimeOffset.UtcNow.AddMinutes(10)));

        Assert.Null(memory.Recall(lamp));
    }

    [Fact]
    public void Remembering_for_no_time_turns_it_off()
    {
        var (memory, _) = Memory(TimeSpan.Zero);
        StockLine[] lamp = [new("LAMP", 1)];

        memory.Learn(lamp, LampSoldOut);

        Assert.Null(memory.Recall(lamp));
    }
}
