namespace Marketplace.Payment.Domain;

/// <summary>One call we made to the provider, kept for the audit trail: what, with which key, and what came back.</summary>
public sealed class PaymentOperation
{
    private PaymentOperation()
    {
    }

    public Guid Id { get; private set; }
    public Guid PaymentIntentId { get; private set; }
    /// <summary><c>authorize</c>, <c>retrieve</c>, <c>capture</c>, <c>cancel</c> or <c>refund</c>.</summary>
    public string Kind { get; private set; } = "";
    public string? IdempotencyKey { get; private set; }
    /// <summary>Null when no HTTP answer came (connection refused, timeout, open circuit).</summary>
    public int? HttpStatus { get; private set; }
    public string Outcome { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
    public int DurationMs { get; private set; }

    public static PaymentOperation Record(Guid paymentIntentId, string kind, string? idempotencyKey, int? httpStatus, string outcome, DateTimeOffset at, TimeSpan duration) => new()
    {
        Id = Guid.CreateVersion7(at),
        PaymentIntentId = paymentIntentId,
        Kind = kind,
        IdempotencyKey = idempotencyKey,
        HttpStatus = httpStatus,
        Outcome = outcome.Length > 500 ? outcome[..500] : outcome,
        At = at,
        DurationMs = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds),
    };
}
