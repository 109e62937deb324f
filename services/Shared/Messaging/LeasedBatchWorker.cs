using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Marketplace.Shared.Messaging;

/// <summary>
/// The loop of every worker over a table of due rows (the outbox relay, the e-mail sender, the payment processor, the
/// order timeouts, the reservation expiry). A pass claims due rows its own way (<c>FOR UPDATE SKIP LOCKED</c> or a
/// lease, so replicas share the rows and never take the same one) and handles them. While a pass says more may be
/// waiting the next one starts at once; otherwise the worker waits for its <see cref="WorkSignal"/> (a commit in this
/// process that gave it work) or the poll interval, whichever comes first. A pass that fails is logged and tried
/// again after the interval; stopping ends the loop between passes.
/// </summary>
public abstract class LeasedBatchWorker(WorkSignal? signal, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>How long the worker waits for a signal before it looks again anyway.</summary>
    protected abstract TimeSpan PollInterval { get; }

    /// <summary>How long after start the first pass waits (e.g. for queued replies to be consumed first).</summary>
    protected virtual TimeSpan StartDelay => TimeSpan.Zero;

    /// <summary>One pass; returns true when more rows may be due now (it took a full batch).</summary>
    protected abstract Task<bool> PassAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitAsync(StartDelay, signalled: false, stoppingToken))
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await PassAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Logger.LogError(e, "{Worker}: a pass failed; trying again", GetType().Name);
            }
            if (!more && !await WaitAsync(PollInterval, signalled: true, stoppingToken))
            {
                return;
            }
        }
    }

    /// <summary>Waits out <paramref name="delay"/> (cut short by the signal when <paramref name="signalled"/>); false once stopping.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, bool signalled, CancellationToken stoppingToken)
    {
        try
        {
            if (signalled && signal is not null)
            {
                await signal.WaitAsync(delay, stoppingToken);
            }
            else if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, Clock, stoppingToken);
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
