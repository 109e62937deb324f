using Marketplace.Shared.Contracts;

namespace Marketplace.Payment.Domain;

public enum PaymentStatus { New, Processing, Authorized, Declined, Captured, Voided, Refunded }

/// <summary>Where the saga wants the payment to end up; the processor moves <see cref="PaymentStatus"/> towards it.</summary>
public enum DesiredPaymentState { Authorized, Captured, Voided, Refunded }

/// <summary>The provider call the processor makes next for an intent.</summary>
public enum PaymentStep { None, Authorize, Retrieve, Capture, Cancel, Refund, VoidWithoutCall }

/// <summary>A payment whose state the provider contradicts in a way no step of ours can explain.</summary>
public sealed class PaymentStateException(string message) : InvalidOperationException(message);

/// <summary>
/// One order's payment. Consumers only record what the saga wants (<see cref="Desired"/>); the
/// processor calls the provider and records what it answered (<see cref="Status"/>). Each method
/// returns the integration events the change announces, for the caller to stage in the same
/// transaction. Once an authorization outcome is known, the saga hears exactly one answer per
/// request: PaymentAuthorized or PaymentDeclined while it still wants the money, PaymentVoided once
/// it asked to void or refund something that holds no money.
/// </summary>
public sealed class PaymentIntent
{
    private static readonly IReadOnlyList<IIntegrationEvent> Nothing = [];

    /// <summary>Far above any basket, and within what the amount column and minor units hold.</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    private PaymentIntent()
    {
    }

    public Guid Id { get; private set; }
    public Guid OrderId { get; private set; }
    public Guid BuyerId { get; private set; }
    public decimal Amount { get; private set; }
    public string Currency { get; private set; } = "";
    public string PaymentMethod { get; private set; } = "";
    /// <summary>Asked as one charge: the processor captures right after the authorization, in the same pass.</summary>
    public bool CaptureAtOnce { get; private set; }
    public PaymentStatus Status { get; private set; }
    public DesiredPaymentState Desired { get; private set; }
    public string? ProviderIntentId { get; private set; }
    public decimal CapturedAmount { get; private set; }
    public decimal RefundedAmount { get; private set; }
    public string? DeclineReason { get; private set; }
    /// <summary>Provider calls begun for the current step; the claim counts them, so a crash mid-call is counted too.</summary>
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? LeaseUntil { get; private set; }
    public Guid? LeaseOwner { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>
    /// A payment to authorize, or with <paramref name="captureAtOnce"/> to charge in the same call. A request no provider could accept (no amount, an unknown currency
    /// precision, no payment method) is declined here, so the saga hears about it instead of the
    /// message failing forever.
    /// </summary>
    public static (PaymentIntent Intent, IReadOnlyList<IIntegrationEvent> Events) ForAuthorization(
        Guid orderId, Guid buyerId, decimal amount, string? currency, string? paymentMethod, DateTimeOffset now, bool captureAtOnce = false)
    {
        var intent = new PaymentIntent
        {
            Id = Guid.CreateVersion7(now),
            OrderId = orderId,
            BuyerId = buyerId,
            Amount = Math.Max(amount, 0),
            Currency = (currency ?? "").Trim().ToUpperInvariant(),
            PaymentMethod = (paymentMethod ?? "").Trim(),
            Status = PaymentStatus.New,
            CaptureAtOnce = captureAtOnce,
            Desired = captureAtOnce ? DesiredPaymentState.Captured : DesiredPaymentState.Authorized,
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var invalid = amount <= 0 || amount > MaxAmount ? "invalid_amount"
            : !Money.IsCurrencyCode(intent.Currency) ? "invalid_currency"
            : !Money.FitsMinorUnits(amount, intent.Currency) ? "invalid_amount_precision"
            : intent.PaymentMethod.Length is 0 or > 100 ? "invalid_payment_method"
            : null;
        if (invalid is null)
        {
            return (intent, Nothing);
        }
        intent.PaymentMethod = intent.PaymentMethod.Length > 100 ? intent.PaymentMethod[..100] : intent.PaymentMethod;
        intent.Currency = intent.Currency.Length > 3 ? intent.Currency[..3] : intent.Currency;
        intent.Status = PaymentStatus.Declined;
        intent.DeclineReason = invalid;
        return (intent, [new PaymentDeclined(orderId, invalid, now)]);
    }

    /// <summary>A void (or refund) that came before any authorization: it makes a later AuthorizePayment find the order taken.</summary>
    public static (PaymentIntent Intent, IReadOnlyList<IIntegrationEvent> Events) Tombstone(Guid orderId, DesiredPaymentState desired, DateTimeOffset now)
    {
        var intent = new PaymentIntent
        {
            Id = Guid.CreateVersion7(now),
            OrderId = orderId,
            Status = PaymentStatus.Voided,
            Desired = desired,
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return (intent, [new PaymentVoided(orderId, now)]);
    }

    public PaymentStep NextStep => Status switch
    {
        PaymentStatus.New when Desired is DesiredPaymentState.Authorized or DesiredPaymentState.Captured => PaymentStep.Authorize,
        // The same idempotency key makes the provider answer with the intent it may already hold, which we then cancel.
        PaymentStatus.New => MayHaveReachedProvider ? PaymentStep.Authorize : PaymentStep.VoidWithoutCall,
        PaymentStatus.Processing when Desired is DesiredPaymentState.Authorized or DesiredPaymentState.Captured => PaymentStep.Retrieve,
        PaymentStatus.Processing => PaymentStep.Cancel,
        PaymentStatus.Authorized when Desired == DesiredPaymentState.Captured => PaymentStep.Capture,
        PaymentStatus.Authorized when Desired is DesiredPaymentState.Voided or DesiredPaymentState.Refunded => PaymentStep.Cancel,
        PaymentStatus.Captured when Desired == DesiredPaymentState.Refunded => PaymentStep.Refund,
        _ => PaymentStep.None,
    };

    /// <summary>Whether an authorize call may have left the building: the running claim counted itself in <see cref="Attempts"/>.</summary>
    public bool MayHaveReachedProvider => ProviderIntentId is not null || Attempts > 1;

    public string IdempotencyKey(string operation) => $"{Id}-{operation}";

    public IReadOnlyList<IIntegrationEvent> RequestCapture(DateTimeOffset now)
    {
        if (Desired != DesiredPaymentState.Authorized || Status is PaymentStatus.Declined or PaymentStatus.Voided)
        {
            return Nothing;
        }
        Want(DesiredPaymentState.Captured, now);
        return Nothing;
    }

    /// <summary>
    /// Void what is authorized. Ignored once a capture or refund was asked for: voiding cannot give captured money back.
    /// A charge (<see cref="CaptureAtOnce"/>) the saga gave up on is refunded instead: the money may be taken already.
    /// </summary>
    public IReadOnlyList<IIntegrationEvent> RequestVoid(DateTimeOffset now)
    {
        if (CaptureAtOnce && Desired == DesiredPaymentState.Captured)
        {
            return RequestRefund(now);
        }
        if (Desired != DesiredPaymentState.Authorized)
        {
            return Nothing;
        }
        Want(DesiredPaymentState.Voided, now);
        // Declined holds nothing to void; answer now so the saga can finish. Voided already answered when it happened.
        return Status == PaymentStatus.Declined ? [new PaymentVoided(OrderId, now)] : Nothing;
    }

    /// <summary>Give back the whole capture, or void the authorization when nothing was captured.</summary>
    public IReadOnlyList<IIntegrationEvent> RequestRefund(DateTimeOffset now)
    {
        if (Desired == DesiredPaymentState.Refunded)
        {
            return Nothing;
        }
        var alreadyAnswered = Desired == DesiredPaymentState.Voided;
        Want(DesiredPaymentState.Refunded, now);
        return Status == PaymentStatus.Declined && !alreadyAnswered ? [new PaymentVoided(OrderId, now)] : Nothing;
    }

    /// <summary>Whether this payment already holds the provider's view of <paramref name="provider"/> (the same intent, in the same status).</summary>
    public bool Knows(ProviderIntent provider) => ProviderIntentId == provider.Id && Status == StatusOf(provider);

    /// <summary>Takes on the provider's view of the intent (after create, retrieve, capture or cancel).</summary>
    public IReadOnlyList<IIntegrationEvent> Reconcile(ProviderIntent provider, DateTimeOffset now, TimeSpan processingRecheck)
    {
        if (ProviderIntentId is not null && ProviderIntentId != provider.Id)
        {
            throw new PaymentStateException($"The provider answered about intent {provider.Id}, but this payment is {ProviderIntentId}.");
        }
        var target = StatusOf(provider);
        var allowed = (Status, target) switch
        {
            (PaymentStatus.New, _) => true,
            (PaymentStatus.Processing, _) => true,
            (PaymentStatus.Authorized, PaymentStatus.Captured or PaymentStatus.Voided) => true,
            _ => false,
        };
        if (!allowed)
        {
            throw new PaymentStateException($"The provider reports the intent {provider.Status} while this payment is {Status}.");
        }

        ProviderIntentId = provider.Id;
        if (target == PaymentStatus.Processing)
        {
            // No webhook within the recheck window: the processor asks the provider itself.
            Status = PaymentStatus.Processing;
            NextAttemptAt = now + processingRecheck;
            UpdatedAt = now;
            LastError = null;
            return Nothing;
        }
        return Enter(target, now, provider);
    }

    private static PaymentStatus StatusOf(ProviderIntent provider) => provider.Status switch
    {
        ProviderIntentStatus.Processing => PaymentStatus.Processing,
        ProviderIntentStatus.Authorized => PaymentStatus.Authorized,
        ProviderIntentStatus.Declined => PaymentStatus.Declined,
        ProviderIntentStatus.Captured => PaymentStatus.Captured,
        _ => PaymentStatus.Voided,
    };

    /// <summary>
    /// Whether a webhook about <paramref name="provider"/> can change any payment: only an authorization's outcome can
    /// (what our own calls started, they settle from their answers). Anything else is acknowledged without a look.
    /// </summary>
    public static bool IsAuthorizationOutcome(ProviderIntent provider) =>
        provider.Status is ProviderIntentStatus.Authorized or ProviderIntentStatus.Declined;

    /// <summary>Takes on a webhook's news: only an authorization outcome we are still waiting for, so a replayed or late one changes nothing.</summary>
    public IReadOnlyList<IIntegrationEvent> ApplyProviderNotice(ProviderIntent provider, DateTimeOffset now, TimeSpan processingRecheck)
    {
        var awaitingOutcome = Status is PaymentStatus.New or PaymentStatus.Processing;
        if (!awaitingOutcome || !IsAuthorizationOutcome(provider) || (ProviderIntentId is not null && ProviderIntentId != provider.Id))
        {
            return Nothing;
        }
        return Reconcile(provider, now, processingRecheck);
    }

    public IReadOnlyList<IIntegrationEvent> RecordRefund(decimal refundedTotal, DateTimeOffset now)
    {
        if (Status != PaymentStatus.Captured)
        {
            throw new PaymentStateException($"A refund was recorded while this payment is {Status}.");
        }
        if (refundedTotal < CapturedAmount)
        {
            throw new PaymentStateException($"The provider refunded {refundedTotal} of {CapturedAmount} captured; the rest is still owed.");
        }
        RefundedAmount = CapturedAmount;
        return Enter(PaymentStatus.Refunded, now, provider: null);
    }

    /// <summary>Never sent to the provider, so nothing to cancel there.</summary>
    public IReadOnlyList<IIntegrationEvent> VoidWithoutCall(DateTimeOffset now) => Enter(PaymentStatus.Voided, now, provider: null);

    /// <summary>The call did not give an answer (outage, timeout, 5xx): try again later, forever, backing off up to <paramref name="maxBackoff"/>.</summary>
    public void RecordFailure(string error, DateTimeOffset now, TimeSpan maxBackoff)
    {
        var exponential = 250 * Math.Pow(2, Math.Clamp(Attempts - 1, 0, 16));
        var jitter = 1 + Random.Shared.NextDouble() * 0.2; // rows failed together do not all come back together
        NextAttemptAt = now + TimeSpan.FromMilliseconds(Math.Min(maxBackoff.TotalMilliseconds, exponential * jitter));
        LastError = error.Length > 2000 ? error[..2000] : error;
        UpdatedAt = now;
    }

    public void ReleaseLease()
    {
        LeaseUntil = null;
        LeaseOwner = null;
    }

    private void Want(DesiredPaymentState desired, DateTimeOffset now)
    {
        Desired = desired;
        NextAttemptAt = now;
        UpdatedAt = now;
    }

    private IReadOnlyList<IIntegrationEvent> Enter(PaymentStatus target, DateTimeOffset now, ProviderIntent? provider)
    {
        var sagaStillWantsMoney = Desired is DesiredPaymentState.Authorized or DesiredPaymentState.Captured;
        Status = target;
        Attempts = 0;
        NextAttemptAt = now;
        LastError = null;
        UpdatedAt = now;
        switch (target)
        {
            case PaymentStatus.Authorized:
                // A charge is announced once, when captured: its authorization is only the way there.
                return sagaStillWantsMoney && !CaptureAtOnce ? [new PaymentAuthorized(OrderId, Id, Amount, Currency, now)] : Nothing;
            case PaymentStatus.Declined:
                DeclineReason = provider?.FailureCode ?? "declined";
                return sagaStillWantsMoney ? [new PaymentDeclined(OrderId, DeclineReason, now)] : [new PaymentVoided(OrderId, now)];
            case PaymentStatus.Captured:
                CapturedAmount = Math.Min(provider?.AmountReceived ?? Amount, Amount);
                return [new PaymentCaptured(OrderId, CapturedAmount, Currency, now)];
            case PaymentStatus.Refunded:
                return [new PaymentRefunded(OrderId, RefundedAmount, Currency, now)];
            default:
                return [new PaymentVoided(OrderId, now)];
        }
    }
}
