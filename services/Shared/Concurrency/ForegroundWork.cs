using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Marketplace.Shared.Concurrency;

public sealed class ForegroundWorkOptions
{
    public const string Section = "Marketplace:ForegroundWork";

    /// <summary>
    /// How long background work waits at most, before each pass, while a foreground request is in flight
    /// (zero: it never waits). Bounded, so background work slows under load but never stops.
    /// </summary>
    public TimeSpan MaxYield { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A backlog older than this is worked off without waiting, however busy the foreground is: under a sale that
    /// never pauses, background work may fall this far behind, no further (plus one <see cref="MaxYield"/>).
    /// </summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The requests a person is waiting on in this process (a buyer's click: the order placed, its stock held), counted
/// so that background work in the same process can let them go first. On a machine where the services share a few
/// cores, a relay publishing every commit at once competes with the very clicks that made them; waiting until the
/// clicks are answered (or <see cref="ForegroundWorkOptions.MaxYield"/> has passed) takes that CPU back, and the
/// next pass finds a larger batch. Nothing is skipped or lost: the work is only done a little later.
/// </summary>
public sealed class ForegroundWork(IOptions<ForegroundWorkOptions> options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private int _inFlight;
    private TaskCompletionSource _quiet = Quiet();

    /// <summary>Foreground requests in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts a foreground request until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        lock (_gate)
        {
            if (_inFlight++ == 0)
            {
                _quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        return new Scope(this);
    }

    /// <summary>Returns when no foreground request is in flight, or after the longest wait allowed.</summary>
    public Task YieldAsync(CancellationToken ct) => YieldAsync(backlogSince: null, ct);

    /// <summary>
    /// As <see cref="YieldAsync(CancellationToken)"/>, but at once when the work waiting has waited since
    /// <paramref name="backlogSince"/> for <see cref="ForegroundWorkOptions.MaxLag"/> or longer (null: no backlog known).
    /// </summary>
    public async Task YieldAsync(DateTimeOffset? backlogSince, CancellationToken ct)
    {
        var longest = options.Value.MaxYield;
        if (backlogSince is { } since && clock.GetUtcNow() - since >= options.Value.MaxLag)
        {
            return;
        }
        Task quiet;
        lock (_gate)
        {
            quiet = _quiet.Task;
        }
        if (longest <= TimeSpan.Zero || quiet.IsCompleted)
        {
            return;
        }
        try
        {
            await quiet.WaitAsync(longest, clock, ct);
        }
        catch (TimeoutException)
        {
            // Still busy: background work goes on anyway, at most one pass per wait.
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            if (--_inFlight == 0)
            {
                _quiet.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Quiet()
    {
        var quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        quiet.SetResult();
        return quiet;
    }

    public readonly struct Scope(ForegroundWork work) : IDisposable
    {
        public void Dispose() => work.Exit();
    }
}

public static class ForegroundWorkEndpoints
{
    /// <summary>Counts the endpoint's requests as foreground work: background work in this process lets them go first.</summary>
    public static TBuilder AsForegroundWork<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            // Resolved once per endpoint, not on every request.
            var work = factory.ApplicationServices.GetRequiredService<ForegroundWork>();
            return async context =>
            {
                using var scope = work.Enter();
                return await next(context);
            };
        });
}
