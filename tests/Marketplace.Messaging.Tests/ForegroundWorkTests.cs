using Marketplace.Shared.Concurrency;
using Microsoft.Extensions.Options;

namespace Marketplace.Messaging.Tests;

public sealed class ForegroundWorkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ForegroundWork Work(TimeSpan maxYield) =>
        new(Options.Create(new ForegroundWorkOptions { MaxYield = maxYield }), TimeProvider.System);

    [Fact]
    public void With_nothing_in_flight_background_work_goes_on_at_once()
    {
        var work = Work(TimeSpan.FromMinutes(1));
        using (work.Enter())
        {
        }

        Assert.True(work.YieldAsync(Ct).IsCompletedSuccessfully);
        Assert.Equal(0, work.InFlight);
    }

    [Fact]
    public async Task Background_work_waits_until_the_last_foreground_request_ends()
    {
        var work = Work(TimeSpan.FromMinutes(1));
        var first = work.Enter();
        var second = work.Enter();

        var yielding = work.YieldAsync(Ct);
        first.Dispose();
        await Task.Delay(100, Ct);
        Assert.False(yielding.IsCompleted, "it went on while a request was still in flight");

        second.Dispose();
        await yielding.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, work.InFlight);
    }

    [Fact]
    public async Task Under_endless_load_background_work_still_goes_on_after_the_longest_wait()
    {
        var work = Work(TimeSpan.FromMilliseconds(300));
        using var busy = work.Enter();

        var yielding = work.YieldAsync(Ct);
        await Task.Delay(50, Ct);
        Assert.False(yielding.IsCompleted);
        await yielding.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, work.InFlight);
    }

    [Fact]
    public async Task A_backlog_older_than_the_longest_lag_is_worked_off_without_waiting()
    {
        var work = new ForegroundWork(Options.Create(new ForegroundWorkOptions { MaxYield = TimeSpan.FromMinutes(1), MaxLag = TimeSpan.FromSeconds(10) }), TimeProvider.System);
        using var busy = work.Enter();

        Assert.True(work.YieldAsync(DateTimeOffset.UtcNow.AddSeconds(-11), Ct).IsCompletedSuccessfully);
        var young = work.YieldAsync(DateTimeOffset.UtcNow.AddSeconds(-1), Ct);
        await Task.Delay(100, Ct);
        Assert.False(young.IsCompleted, "a young backlog went ahead of a request in flight");
    }

    [Fact]
    public void A_longest_wait_of_zero_turns_yielding_off()
    {
        var work = Work(TimeSpan.Zero);
        using var busy = work.Enter();

        Assert.True(work.YieldAsync(Ct).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Requests_entering_and_leaving_on_many_threads_leave_the_process_quiet()
    {
        var work = Work(TimeSpan.FromMinutes(1));

        await Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            using var request = work.Enter();
            if (i % 100 == 0)
            {
                await Task.Yield();
            }
        });

        Assert.Equal(0, work.InFlight);
        Assert.True(work.YieldAsync(Ct).IsCompletedSuccessfully);
    }
}
