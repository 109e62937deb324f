using System.Collections.Concurrent;

namespace Marketplace.PaymentProvider;

/// <summary>
/// The provider's ledger, in memory: payment intents, refunds, and per order what was captured and
/// refunded. Every change of one intent happens under that intent's lock, so concurrent calls on
/// it (two captures, a capture and a cancel) take turns and see each other's result.
/// </summary>
public sealed class PaymentBook(SimulatorSwitches switches, WebhookDispatcher webhooks, TimeProvider clock, ILogger<PaymentBook> logger)
{
    private readonly ConcurrentDictionary<string, Intent> _intents = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Intent>> _intentsByOrder = new();

    public ApiAnswer Create(CreateIntentRequest request)
    {
        if (request.Amount is not { } amount || amount <= 0)
        {
            return ApiAnswer.InvalidRequest("parameter_invalid_integer", "amount must be a positive integer in the currency's minor unit.", "amount");
        }
        if (request.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetter))
        {
            return ApiAnswer.InvalidRequest("parameter_invalid_string", "currency must be a three-letter ISO code.", "currency");
        }
        if (string.IsNullOrWhiteSpace(request.PaymentMethod))
        {
            return ApiAnswer.InvalidRequest("parameter_missing", "payment_method is required.", "payment_method");
        }
        if (request.CaptureMethod is not "manual")
        {
            return ApiAnswer.InvalidRequest("parameter_invalid_string", "Only capture_method=manual is supported.", "capture_method");
        }

        var settings = switches.Current;
        var method = request.PaymentMethod;
        var metadata = request.Metadata ?? [];
        var intent = new Intent
        {
            Id = NewId("pi"),
            Amount = amount,
            Currency = currency.ToLowerInvariant(),
            PaymentMethod = method,
            Metadata = new Dictionary<string, string>(metadata),
            OrderId = metadata.GetValueOrDefault("order_id"),
            Created = clock.GetUtcNow().ToUnixTimeSeconds(),
        };

        var resolvesLater = method is TestCards.Async or TestCards.AsyncDeclined
            || (method != TestCards.Declined && Random.Shared.NextDouble() < settings.AsyncRate);
        if (resolvesLater)
        {
            intent.Status = IntentStatus.Processing;
        }
        else if (method == TestCards.Declined || Random.Shared.NextDouble() < settings.DeclineRate)
        {
            intent.Decline();
        }
        else
        {
            intent.Authorize();
        }

        _intents[intent.Id] = intent;
        if (intent.OrderId is not null)
        {
            _intentsByOrder.GetOrAdd(intent.OrderId, _ => new()).Enqueue(intent);
        }

        IntentView view;
        lock (intent)
        {
            view = intent.View();
        }
        webhooks.Publish(EventTypeFor(view.Status), view);
        if (resolvesLater)
        {
            _ = ResolveLaterAsync(intent, TimeSpan.FromMilliseconds(settings.AsyncDelayMs));
        }
        return view.Status == IntentStatus.RequiresPaymentMethod ? CardDeclined(view) : ApiAnswer.Ok(view);
    }

    public ApiAnswer Get(string id) =>
        _intents.TryGetValue(id, out var intent) ? ApiAnswer.Ok(Snapshot(intent)) : ApiAnswer.NotFound(id);

    public ApiAnswer Capture(string id, CaptureRequest request)
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return ApiAnswer.NotFound(id);
        }
        IntentView view;
        lock (intent)
        {
            if (intent.Status != IntentStatus.RequiresCapture)
            {
                return UnexpectedState(intent, "captured");
            }
            var amount = request.AmountToCapture ?? intent.AmountCapturable;
            if (amount <= 0 || amount > intent.AmountCapturable)
            {
                return ApiAnswer.InvalidRequest("amount_too_large", $"amount_to_capture must be between 1 and {intent.AmountCapturable}.", "amount_to_capture", intent.View());
            }
            intent.Status = IntentStatus.Succeeded;
            intent.AmountReceived = amount;
            intent.AmountCapturable = 0;
            intent.SuccessfulCaptures++;
            view = intent.View();
        }
        webhooks.Publish("payment_intent.succeeded", view);
        return ApiAnswer.Ok(view);
    }

    public ApiAnswer Cancel(string id)
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return ApiAnswer.NotFound(id);
        }
        IntentView view;
        lock (intent)
        {
            if (intent.Status is not (IntentStatus.RequiresCapture or IntentStatus.Processing or IntentStatus.RequiresPaymentMethod))
            {
                return UnexpectedState(intent, "canceled");
            }
            intent.Status = IntentStatus.Canceled;
            intent.AmountCapturable = 0;
            view = intent.View();
        }
        webhooks.Publish("payment_intent.canceled", view);
        return ApiAnswer.Ok(view);
    }

    public ApiAnswer Refund(RefundRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.PaymentIntent))
        {
            return ApiAnswer.InvalidRequest("parameter_missing", "payment_intent is required.", "payment_intent");
        }
        if (!_intents.TryGetValue(request.PaymentIntent, out var intent))
        {
            return ApiAnswer.NotFound(request.PaymentIntent);
        }
        lock (intent)
        {
            if (intent.Status != IntentStatus.Succeeded)
            {
                return UnexpectedState(intent, "refunded");
            }
            var refundable = intent.AmountReceived - intent.AmountRefunded;
            if (refundable == 0)
            {
                return ApiAnswer.InvalidRequest("charge_already_refunded", "This PaymentIntent has already been refunded in full.", "payment_intent", intent.View());
            }
            var amount = request.Amount ?? refundable;
            if (amount <= 0 || amount > refundable)
            {
                return ApiAnswer.InvalidRequest("amount_too_large", $"Refund amount must be between 1 and {refundable}, what is left of the captured amount.", "amount", intent.View());
            }
            intent.AmountRefunded += amount;
            return ApiAnswer.Ok(new RefundView(NewId("re"), "refund", amount, intent.Currency, intent.Id, "succeeded", clock.GetUtcNow().ToUnixTimeSeconds()));
        }
    }

    public OrderLedger? Order(string orderId) =>
        _intentsByOrder.TryGetValue(orderId, out var intents) ? Ledger(orderId, intents) : null;

    public BookStats Stats()
    {
        var ledgers = _intentsByOrder.Select(o => Ledger(o.Key, o.Value)).ToList();
        return new BookStats(
            Intents: _intents.Count,
            Orders: ledgers.Count,
            SuccessfulCaptures: ledgers.Sum(l => l.SuccessfulCaptures),
            CapturedTotal: ledgers.Sum(l => l.CapturedTotal),
            RefundedTotal: ledgers.Sum(l => l.RefundedTotal),
            OrdersCapturedMoreThanOnce: ledgers.Count(l => l.SuccessfulCaptures > 1),
            OrdersRefundedBeyondCapture: ledgers.Count(l => l.RefundedTotal > l.CapturedTotal));
    }

    private OrderLedger Ledger(string orderId, IEnumerable<Intent> intents)
    {
        var views = new List<IntentView>();
        int captures = 0;
        foreach (var intent in intents)
        {
            lock (intent)
            {
                views.Add(intent.View());
                captures += intent.SuccessfulCaptures;
            }
        }
        return new OrderLedger(orderId, views, captures, views.Sum(v => v.AmountReceived), views.Sum(v => v.AmountRefunded));
    }

    private async Task ResolveLaterAsync(Intent intent, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, clock);
            var settings = switches.Current;
            IntentView view;
            lock (intent)
            {
                if (intent.Status != IntentStatus.Processing)
                {
                    return; // canceled meanwhile
                }
                if (intent.PaymentMethod == TestCards.AsyncDeclined
                    || (intent.PaymentMethod != TestCards.Async && Random.Shared.NextDouble() < settings.DeclineRate))
                {
                    intent.Decline();
                }
                else
                {
                    intent.Authorize();
                }
                view = intent.View();
            }
            webhooks.Publish(EventTypeFor(view.Status), view);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Resolving payment intent {IntentId} failed", intent.Id);
        }
    }

    private static IntentView Snapshot(Intent intent)
    {
        lock (intent)
        {
            return intent.View();
        }
    }

    private static string EventTypeFor(string status) => status switch
    {
        IntentStatus.RequiresCapture => "payment_intent.amount_capturable_updated",
        IntentStatus.RequiresPaymentMethod => "payment_intent.payment_failed",
        IntentStatus.Processing => "payment_intent.processing",
        IntentStatus.Succeeded => "payment_intent.succeeded",
        _ => "payment_intent.canceled",
    };

    private static ApiAnswer CardDeclined(IntentView view) =>
        new(StatusCodes.Status402PaymentRequired, new ErrorBody(new ErrorDetail(
            "card_error", "card_declined", "Your card was declined.", DeclineCode: "generic_decline", PaymentIntent: view)));

    private static ApiAnswer UnexpectedState(Intent intent, string verb) =>
        ApiAnswer.InvalidRequest("payment_intent_unexpected_state",
            $"This PaymentIntent could not be {verb} because it has a status of {intent.Status}.", intent: intent.View());

    private static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    /// <summary>One payment intent; its fields change only under <c>lock (intent)</c>.</summary>
    private sealed class Intent
    {
        public required string Id { get; init; }
        public required long Amount { get; init; }
        public required string Currency { get; init; }
        public required string PaymentMethod { get; init; }
        public required Dictionary<string, string> Metadata { get; init; }
        public required string? OrderId { get; init; }
        public required long Created { get; init; }
        public string Status { get; set; } = IntentStatus.Processing;
        public long AmountCapturable { get; set; }
        public long AmountReceived { get; set; }
        public long AmountRefunded { get; set; }
        public PaymentError? LastPaymentError { get; private set; }
        public int SuccessfulCaptures { get; set; }

        public void Authorize()
        {
            Status = IntentStatus.RequiresCapture;
            AmountCapturable = Amount;
        }

        public void Decline()
        {
            Status = IntentStatus.RequiresPaymentMethod;
            LastPaymentError = new PaymentError("card_declined", "generic_decline", "Your card was declined.");
        }

        public IntentView View() => new(
            Id, "payment_intent", Amount, AmountCapturable, AmountReceived, AmountRefunded, Currency, Status,
            PaymentMethod, "manual", new Dictionary<string, string>(Metadata), Created, LastPaymentError);
    }
}

/// <summary>What the provider holds for one order: the witness for "never charged twice".</summary>
public sealed record OrderLedger(string OrderId, IReadOnlyList<IntentView> Intents, int SuccessfulCaptures, long CapturedTotal, long RefundedTotal);

public sealed record BookStats(
    int Intents, int Orders, int SuccessfulCaptures, long CapturedTotal, long RefundedTotal,
    int OrdersCapturedMoreThanOnce, int OrdersRefundedBeyondCapture);
