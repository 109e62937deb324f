using Marketplace.Shared.Concurrency;

namespace Marketplace.Messaging.Tests;

public sealed class SingleFlightTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Callers_arriving_while_a_fetch_is_in_flight_share_it_and_the_next_caller_fetches_afresh()
    {
        var flights = new SingleFlight<string, int>();
        var fetches = 0;
        var gate = new TaskCompletionSource();
        async Task<int> FetchAsync()
        {
            var n = Interlocked.Increment(ref fetches);
            await gate.Task;
            return n;
        }

        var waiting = Enumerable.Range(0, 50).Select(_ => flights.RunAsync("SKU-1", FetchAsync, Ct)).ToList();
        var other = flights.RunAsync("SKU-2", FetchAsync, Ct);
        gate.SetResult();
        var answers = await Task.WhenAll(waiting);

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.NotEqual(answers[0], await other);
        Assert.Equal(2, fetches);
        Assert.Equal(3, await flights.RunAsync("SKU-1", FetchAsync, Ct)); // nothing kept: a new fetch
    }

    [Fact]
    public async Task A_failed_fetch_fails_its_callers_only_and_one_caller_giving_up_stops_nobody_else()
    {
        var flights = new SingleFlight<string, int>();
        var gate = new TaskCompletionSource<int>();
        using var impatient = new CancellationTokenSource();
        var patient = flights.RunAsync("k", () => gate.Task, Ct);
        var quitter = flights.RunAsync("k", () => gate.Task, impatient.Token);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitter);
        gate.SetResult(7);
        Assert.Equal(7, await patient);

        await Assert.ThrowsAsync<InvalidOperationException>(() => flights.RunAsync("k", () => Task.FromException<int>(new InvalidOperationException()), Ct));
        Assert.Equal(8, await flights.RunAsync("k", () => Task.FromResult(8), Ct));
    }
}
