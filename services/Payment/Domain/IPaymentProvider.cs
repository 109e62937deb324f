namespace Marketplace.Payment.Domain;

/// <summary>
/// The port to a card payment provider. Every call that changes something carries an idempotency
/// key, so repeating it (after a timeout, a crash, on another replica) makes no second effect.
/// A business answer (declined, not capturable) comes back as a value; a call that got no such
/// answer (outage, timeout, 5xx, open circuit) throws <see cref="PaymentProviderException"/>.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Authorizes <paramref name="request"/> for manual capture.</summary>
    Task<IntentAnswer> AuthorizeAsync(AuthorizationRequest request, string idempotencyKey, CancellationToken ct);

    Task<IntentAnswer> RetrieveAsync(string providerIntentId, CancellationToken ct);

    Task<IntentAnswer> CaptureAsync(string providerIntentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct);

    Task<IntentAnswer> CancelAsync(string providerIntentId, string idempotencyKey, CancellationToken ct);

    Task<RefundAnswer> RefundAsync(string providerIntentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct);
}

public sealed record AuthorizationRequest(Guid OrderId, decimal Amount, string Currency, string PaymentMethod);

public enum ProviderIntentStatus { Processing, Authorized, Declined, Captured, Canceled }

/// <summary>The provider's view of one payment intent, in major units.</summary>
/// <param name="OrderReference">The order id we attached when creating it (metadata), as the provider echoes it back.</param>
public sealed record ProviderIntent(
    string Id, ProviderIntentStatus Status, decimal AmountReceived, decimal AmountRefunded, string? FailureCode, string? OrderReference);

/// <summary>The provider said no (a declined card, an intent in the wrong state) and why.</summary>
public sealed record ProviderRefusal(string Code, string Message);

public sealed record IntentAnswer(int HttpStatus, ProviderIntent Intent, ProviderRefusal? Refusal)
{
    public string Describe() => Refusal is null
        ? $"{Intent.Status} ({Intent.Id})"
        : $"refused {Refusal.Code}: {Refusal.Message} ({Intent.Id} {Intent.Status})";
}

public sealed record RefundAnswer(int HttpStatus, string? RefundId, decimal RefundedAmount, ProviderRefusal? Refusal)
{
    public string Describe() => Refusal is null ? $"refunded {RefundedAmount} ({RefundId})" : $"refused {Refusal.Code}: {Refusal.Message}";
}

/// <summary>A webhook's news about an intent.</summary>
public sealed record ProviderNotice(string EventId, string Type, ProviderIntent Intent);

/// <summary>The call produced no business answer; repeating it with the same key is safe.</summary>
public sealed class PaymentProviderException(int? httpStatus, string message, Exception? inner = null) : Exception(message, inner)
{
    public int? HttpStatus { get; } = httpStatus;
}
