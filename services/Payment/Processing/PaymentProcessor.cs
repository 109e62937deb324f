using System.Collections.Concurrent;
using System.Diagnostics;
using Marketplace.Payment.Data;
using Marketplace.Payment.Domain;
using Marketplace.Payment.Provider;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Payment.Processing;

/// <summary>
/// Moves every payment towards what the saga wants, one provider call at a time per payment.
/// A pass claims due rows with a lease (<c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work
/// and never hold the same row), makes each row's call with a key derived from the row and the step
/// (a repeat, here or on another replica, gets the provider's first answer), then stores the answer
/// and its event in one transaction that first checks the lease is still this pass's.
/// A call that gets no answer is retried forever with capped backoff; messages never wait on it.
/// </summary>
public sealed class PaymentProcessor(
    IServiceScopeFactory scopes,
    PaymentWorkSignal signal,
    TimeProvider clock,
    IOptions<PaymentProcessorOptions> options,
    ILogger<PaymentProcessor> logger) : LeasedBatchWorker(signal, clock, logger)
{
    private delegate IReadOnlyList<IIntegrationEvent> Outcome(PaymentIntent row, DateTimeOffset now);

    private readonly PaymentProcessorOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.Concurrency);
    private readonly ConcurrentDictionary<Guid, Task> _running = new();

    /// <summary>Claims one batch of due payments, makes their provider calls and stores the answers.</summary>
    public async Task<int> ProcessDueAsync(CancellationToken ct)
    {
        var leaseOwner = Guid.NewGuid();
        var claimed = await ClaimAsync(_options.BatchSize, leaseOwner, ct);
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = ct },
            async (row, token) => await ProcessAsync(row, leaseOwner, token));
        return claimed.Count;
    }

    protected override TimeSpan PollInterval => _options.PollInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            Logger.LogWarning("The payment processor is disabled (Payment:Processor:Enabled=false): no provider calls will be made");
            return;
        }
        try
        {
            await base.ExecuteAsync(stoppingToken);
        }
        finally
        {
            await Task.WhenAll(_running.Values);
        }
    }

    /// <summary>
    /// Unlike <see cref="ProcessDueAsync"/>, a slow call does not hold up the next claim: a pass fills the free slots
    /// and returns while the calls run, so slots are refilled as soon as they open.
    /// </summary>
    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        var wanted = Math.Min(_slots.CurrentCount, _options.BatchSize);
        if (wanted == 0)
        {
            return false; // every slot is busy: look again at the next signal or poll
        }
        var claimed = 0;
        var leaseOwner = Guid.NewGuid();
        foreach (var row in await ClaimAsync(wanted, leaseOwner, ct))
        {
            claimed++;
            await _slots.WaitAsync(ct);
            _running[row.Id] = RunAsync(row, leaseOwner, ct);
        }
        return claimed == wanted;
    }

    private async Task RunAsync(PaymentIntent row, Guid leaseOwner, CancellationToken stoppingToken)
    {
        try
        {
            await ProcessAsync(row, leaseOwner, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Storing the answer failed (database unreachable): the lease runs out and the call is repeated under the same key.
            Logger.LogError(e, "Payment {PaymentId} (order {OrderId}): storing the provider's answer failed", row.Id, row.OrderId);
        }
        finally
        {
            _slots.Release();
            _running.TryRemove(row.Id, out _);
        }
    }

    private async Task<List<PaymentIntent>> ClaimAsync(int limit, Guid leaseOwner, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentDbContext>();
        var now = Clock.GetUtcNow();
        // attempts counts the call about to be made before it is made, so a crash mid-call still shows the provider may know the intent.
        return await db.PaymentIntents.FromSqlRaw($$"""
            UPDATE payment_intents SET lease_until = {0}, lease_owner = {1}, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM payment_intents
                WHERE next_attempt_at <= {2} AND (lease_until IS NULL OR lease_until < {2}) AND ({{PaymentDbContext.HasWorkSql}})
                ORDER BY next_attempt_at
                LIMIT {3}
                FOR UPDATE SKIP LOCKED)
            RETURNING *
            """, now + _options.LeaseDuration, leaseOwner, now, limit).AsNoTracking().ToListAsync(ct);
    }

    private async Task ProcessAsync(PaymentIntent claimed, Guid leaseOwner, CancellationToken ct)
    {
        var step = claimed.NextStep;
        using var activity = PaymentTelemetry.Source.StartActivity($"payment {step}");
        activity?.SetTag("payment.id", claimed.Id);
        activity?.SetTag("payment.order_id", claimed.OrderId);
        activity?.SetTag("payment.attempt", claimed.Attempts);
        var operations = new List<PaymentOperation>();
        Outcome outcome;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var provider = scope.ServiceProvider.GetRequiredService<IPaymentProvider>();
            outcome = await PerformAsync(claimed, step, provider, operations, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // stopping: the lease runs out and the next claim repeats the call under the same key
        }
        catch (Exception e)
        {
            if (e is PaymentProviderException failure)
            {
                PaymentTelemetry.ProviderFailures.Add(1, new KeyValuePair<string, object?>("step", step.ToString()), new KeyValuePair<string, object?>("http_status", failure.HttpStatus));
                Logger.LogWarning("Payment {PaymentId} (order {OrderId}): {Step} got no answer, attempt {Attempt}: {Error}",
                    claimed.Id, claimed.OrderId, step, claimed.Attempts, e.Message);
            }
            else
            {
                Logger.LogError(e, "Payment {PaymentId} (order {OrderId}): {Step} failed, attempt {Attempt}", claimed.Id, claimed.OrderId, step, claimed.Attempts);
            }
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            var error = e.Message;
            outcome = (row, now) =>
            {
                row.RecordFailure(error, now, _options.MaxBackoff);
                return [];
            };
        }
        await StoreAsync(claimed, leaseOwner, step, operations, outcome);
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    private async Task<Outcome> PerformAsync(PaymentIntent p, PaymentStep step, IPaymentProvider provider, List<PaymentOperation> operations, CancellationToken ct)
    {
        var recheck = _options.ProcessingRecheck;
        switch (step)
        {
            case PaymentStep.Authorize:
            {
                var key = p.IdempotencyKey("authorize");
                var answer = await RecordAsync(p, "authorize", key, operations, () =>
                    provider.AuthorizeAsync(new AuthorizationRequest(p.OrderId, p.Amount, p.Currency, p.PaymentMethod), key, ct), a => (a.HttpStatus, a.Describe()));
                if (p.CaptureAtOnce && p.Desired == DesiredPaymentState.Captured && answer is { Refusal: null, Intent.Status: ProviderIntentStatus.Authorized })
                {
                    return await CaptureAtOnceAsync(p, answer, provider, operations, ct);
                }
                return (row, now) => row.Reconcile(answer.Intent, now, recheck);
            }
            case PaymentStep.Retrieve:
            {
                var answer = await RecordAsync(p, "retrieve", null, operations, () => provider.RetrieveAsync(ProviderId(p), ct), a => (a.HttpStatus, a.Describe()));
                return (row, now) => row.Reconcile(answer.Intent, now, recheck);
            }
            case PaymentStep.Capture:
            {
                var key = p.IdempotencyKey("capture");
                var answer = await RecordAsync(p, "capture", key, operations, () =>
                    provider.CaptureAsync(ProviderId(p), p.Amount, p.Currency, key, ct), a => (a.HttpStatus, a.Describe()));
                return (row, now) => row.Reconcile(answer.Intent, now, recheck);
            }
            case PaymentStep.Cancel:
            {
                var key = p.IdempotencyKey("cancel");
                var answer = await RecordAsync(p, "cancel", key, operations, () =>
                    provider.CancelAsync(ProviderId(p), key, ct), a => (a.HttpStatus, a.Describe()));
                return (row, now) => row.Reconcile(answer.Intent, now, recheck);
            }
            case PaymentStep.Refund:
            {
                var key = p.IdempotencyKey("refund");
                var owed = p.CapturedAmount - p.RefundedAmount;
                var answer = await RecordAsync(p, "refund", key, operations, () =>
                    provider.RefundAsync(ProviderId(p), owed, p.Currency, key, ct), a => (a.HttpStatus, a.Describe()));
                if (answer.Refusal is null)
                {
                    var refundedTotal = p.RefundedAmount + answer.RefundedAmount;
                    return (row, now) => row.RecordRefund(refundedTotal, now);
                }
                // Refused (e.g. already refunded in full): what the provider holds decides.
                var current = await RecordAsync(p, "retrieve", null, operations, () => provider.RetrieveAsync(ProviderId(p), ct), a => (a.HttpStatus, a.Describe()));
                return (row, now) => row.RecordRefund(current.Intent.AmountRefunded, now);
            }
            case PaymentStep.VoidWithoutCall:
                return (row, now) => row.VoidWithoutCall(now);
            default:
                return (_, _) => [];
        }
    }

    /// <summary>
    /// A charge: the authorization is captured in the same pass, so one transaction stores both answers and the saga
    /// hears only PaymentCaptured. Authorizing first (not the provider's automatic capture) keeps a charge the saga gave
    /// up on from ever taking money: that one is only authorized, then cancelled. A capture that gets no answer leaves
    /// the authorization stored, and the capture is the payment's next step.
    /// </summary>
    private async Task<Outcome> CaptureAtOnceAsync(PaymentIntent p, IntentAnswer authorized, IPaymentProvider provider, List<PaymentOperation> operations, CancellationToken ct)
    {
        var recheck = _options.ProcessingRecheck;
        var key = p.IdempotencyKey("capture");
        try
        {
            var captured = await RecordAsync(p, "capture", key, operations, () =>
                provider.CaptureAsync(authorized.Intent.Id, p.Amount, p.Currency, key, ct), a => (a.HttpStatus, a.Describe()));
            // The authorization's webhook usually arrives while the capture call runs, and may be stored first: then the
            // row already knows the authorization, and only the capture is news (rather than a pass of its own later).
            return (row, now) => [.. row.Knows(authorized.Intent) ? [] : row.Reconcile(authorized.Intent, now, recheck), .. row.Reconcile(captured.Intent, now, recheck)];
        }
        catch (PaymentProviderException e)
        {
            Logger.LogWarning("Payment {PaymentId} (order {OrderId}): the capture after the authorization got no answer; it is the next step: {Error}", p.Id, p.OrderId, e.Message);
            return (row, now) => row.Knows(authorized.Intent) ? [] : row.Reconcile(authorized.Intent, now, recheck);
        }
    }

    private async Task<T> RecordAsync<T>(
        PaymentIntent p, string kind, string? key, List<PaymentOperation> operations, Func<Task<T>> call, Func<T, (int Status, string Outcome)> describe)
    {
        var started = Clock.GetTimestamp();
        try
        {
            var answer = await call();
            var (status, outcome) = describe(answer);
            operations.Add(PaymentOperation.Record(p.Id, kind, key, status, outcome, Clock.GetUtcNow(), Clock.GetElapsedTime(started)));
            return answer;
        }
        catch (PaymentProviderException e)
        {
            operations.Add(PaymentOperation.Record(p.Id, kind, key, e.HttpStatus, "no answer: " + e.Message, Clock.GetUtcNow(), Clock.GetElapsedTime(started)));
            throw;
        }
    }

    private async Task StoreAsync(PaymentIntent claimed, Guid leaseOwner, PaymentStep step, List<PaymentOperation> operations, Outcome outcome)
    {
        // The call has happened: its answer is stored even while the service is stopping.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var ct = timeout.Token;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentDbContext>();
        IReadOnlyList<IIntegrationEvent> events = [];
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            events = [];
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.PaymentOperations.AddRange(operations);
            var row = await db.LockAsync(claimed.Id, ct) ?? throw new InvalidOperationException($"Payment {claimed.Id} vanished.");
            if (row.LeaseOwner != leaseOwner)
            {
                Logger.LogWarning("Payment {PaymentId} (order {OrderId}): the lease ran out during {Step}; the next claim repeats it under the same key",
                    claimed.Id, claimed.OrderId, step);
            }
            else if (row.Status != claimed.Status && !ChargeAuthorizedByWebhook(row, operations))
            {
                // A webhook settled it meanwhile, under this row's lock: it already stored (and announced) the same news.
                row.ReleaseLease();
            }
            else
            {
                var now = Clock.GetUtcNow();
                try
                {
                    events = outcome(row, now);
                }
                catch (PaymentStateException e)
                {
                    Logger.LogError("Payment {PaymentId} (order {OrderId}): {Step} answer does not fit: {Error}", claimed.Id, claimed.OrderId, step, e.Message);
                    row.RecordFailure(e.Message, now, _options.MaxBackoff);
                }
                foreach (var evt in events)
                {
                    db.AddIntegrationEvent(evt, Clock);
                }
                row.ReleaseLease();
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        });
        PaymentTelemetry.Count(events);
    }

    /// <summary>
    /// A charge whose authorization a webhook stored while this pass went on to capture it: the capture (money taken) is
    /// still news, and is stored now (the charge's outcome skips what the row already knows).
    /// </summary>
    private static bool ChargeAuthorizedByWebhook(PaymentIntent row, IReadOnlyList<PaymentOperation> operations) =>
        row.Status == PaymentStatus.Authorized && operations.Any(o => o.Kind == "capture" && o.HttpStatus is >= 200 and < 300);

    private static string ProviderId(PaymentIntent p) =>
        p.ProviderIntentId ?? throw new PaymentStateException($"Payment {p.Id} is {p.Status} but has no provider intent id.");
}
