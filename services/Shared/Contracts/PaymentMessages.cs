namespace Marketplace.Shared.Contracts;

// The checkout saga. Ordering orchestrates: it sends commands (imperative names) to Inventory and
// Payment through its outbox and moves the order on their replies (past-tense names). Every message
// names the order it belongs to; handlers are idempotent per order, so a redelivered or late message
// changes nothing it should not.
//
// This file: the saga's messages with Payment.

// Ordering -> Payment

/// <param name="PaymentMethod">The provider's token for the shopper's card (never a card number).</param>
/// <param name="CaptureNow">
/// Charge: authorize and capture at once (one pass of Payment's processor, no CapturePayment round). The saga asks this
/// once the stock is held, so the only answer it waits for is <see cref="PaymentCaptured"/> or <see cref="PaymentDeclined"/>.
/// Without it the money is only held, for a later <see cref="CapturePayment"/>.
/// </param>
public sealed record AuthorizePayment(Guid OrderId, Guid BuyerId, decimal Amount, string Currency, string PaymentMethod, DateTimeOffset OccurredAt, bool CaptureNow = false) : IIntegrationEvent;

public sealed record CapturePayment(Guid OrderId, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>
/// Cancel the authorization (nothing was charged). Arriving first, it makes a later AuthorizePayment do nothing. For a
/// payment asked with <c>CaptureNow</c> the money may already be taken: it is then refunded.
/// </summary>
public sealed record VoidPayment(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>Give the money back: the whole capture, or the authorization voided if nothing was captured yet.</summary>
public sealed record RefundPayment(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

// Payment -> Ordering

public sealed record PaymentAuthorized(Guid OrderId, Guid PaymentId, decimal Amount, string Currency, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentDeclined(Guid OrderId, string Reason, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentCaptured(Guid OrderId, decimal Amount, string Currency, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentVoided(Guid OrderId, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record PaymentRefunded(Guid OrderId, decimal Amount, string Currency, DateTimeOffset OccurredAt) : IIntegrationEvent;
