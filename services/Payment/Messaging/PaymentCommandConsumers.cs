using Marketplace.Payment.Data;
using Marketplace.Payment.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MassTransit;

namespace Marketplace.Payment.Messaging;

// The saga's commands only record what it wants; the processor makes the provider calls. A call can
// be slow or fail for minutes (provider outage), and a message must neither wait for it nor end in
// the error queue because of it. Each commit wakes the processor at once (PaymentWorkSignalInterceptor).

/// <summary>Creates the order's payment (to authorize, or to charge at once), unless the order already has one (a void that came first leaves a tombstone).</summary>
public sealed class AuthorizePaymentConsumer(PaymentDbContext db, TimeProvider clock, ILogger<AuthorizePaymentConsumer> logger)
    : IdempotentConsumer<AuthorizePayment, PaymentDbContext>(db, logger)
{
    protected override async Task HandleAsync(AuthorizePayment message, ConsumeContext<AuthorizePayment> context, CancellationToken ct)
    {
        var (intent, events) = PaymentIntent.ForAuthorization(
            message.OrderId, message.BuyerId, message.Amount, message.Currency, message.PaymentMethod, clock.GetUtcNow(), message.CaptureNow);
        if (!await Db.InsertIfAbsentAsync(intent, ct))
        {
            logger.LogInformation("Order {OrderId} already has a payment; AuthorizePayment changes nothing", message.OrderId);
            return;
        }
        Stage(Db, events, clock);
    }

    internal static void Stage(PaymentDbContext db, IEnumerable<IIntegrationEvent> events, TimeProvider clock)
    {
        foreach (var evt in events)
        {
            db.AddIntegrationEvent(evt, clock);
        }
    }
}

public sealed class CapturePaymentConsumer(PaymentDbContext db, TimeProvider clock, ILogger<CapturePaymentConsumer> logger)
    : IdempotentConsumer<CapturePayment, PaymentDbContext>(db, logger)
{
    protected override async Task HandleAsync(CapturePayment message, ConsumeContext<CapturePayment> context, CancellationToken ct)
    {
        var intent = await Db.LockByOrderAsync(message.OrderId, ct);
        if (intent is null)
        {
            logger.LogWarning("CapturePayment for order {OrderId}, which has no payment; nothing to capture", message.OrderId);
            return;
        }
        AuthorizePaymentConsumer.Stage(Db, intent.RequestCapture(clock.GetUtcNow()), clock);
        if (intent.Desired != DesiredPaymentState.Captured)
        {
            logger.LogInformation("CapturePayment for order {OrderId} ignored: its payment is {Status}, wanted {Desired}", message.OrderId, intent.Status, intent.Desired);
        }
    }
}

public sealed class VoidPaymentConsumer(PaymentDbContext db, TimeProvider clock, ILogger<VoidPaymentConsumer> logger)
    : IdempotentConsumer<VoidPayment, PaymentDbContext>(db, logger)
{
    protected override async Task HandleAsync(VoidPayment message, ConsumeContext<VoidPayment> context, CancellationToken ct)
    {
        var events = await PaymentRequests.SettleOrTombstoneAsync(Db, message.OrderId, DesiredPaymentState.Voided, clock, (intent, now) => intent.RequestVoid(now), ct);
        if (events is null)
        {
            logger.LogWarning("VoidPayment for order {OrderId} ignored: a capture or refund was already asked for", message.OrderId);
        }
    }
}

public sealed class RefundPaymentConsumer(PaymentDbContext db, TimeProvider clock, ILogger<RefundPaymentConsumer> logger)
    : IdempotentConsumer<RefundPayment, PaymentDbContext>(db, logger)
{
    protected override async Task HandleAsync(RefundPayment message, ConsumeContext<RefundPayment> context, CancellationToken ct) =>
        await PaymentRequests.SettleOrTombstoneAsync(Db, message.OrderId, DesiredPaymentState.Refunded, clock, (intent, now) => intent.RequestRefund(now), ct);
}

internal static class PaymentRequests
{
    /// <summary>
    /// Applies <paramref name="request"/> to the order's payment; an order without one gets a tombstone
    /// (already Voided, announced) so a later AuthorizePayment does nothing. Returns null when the
    /// payment had gone past what the request can change.
    /// </summary>
    public static async Task<IReadOnlyList<IIntegrationEvent>?> SettleOrTombstoneAsync(
        PaymentDbContext db, Guid orderId, DesiredPaymentState desired, TimeProvider clock,
        Func<PaymentIntent, DateTimeOffset, IReadOnlyList<IIntegrationEvent>> request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var intent = await db.LockByOrderAsync(orderId, ct);
        if (intent is null)
        {
            var (tombstone, announced) = PaymentIntent.Tombstone(orderId, desired, now);
            if (await db.InsertIfAbsentAsync(tombstone, ct))
            {
                AuthorizePaymentConsumer.Stage(db, announced, clock);
                return announced;
            }
            // An AuthorizePayment committed in between: apply the request to its row instead.
            intent = await db.LockByOrderAsync(orderId, ct) ?? throw new InvalidOperationException($"Order {orderId}'s payment vanished.");
        }
        var before = intent.Desired;
        var events = request(intent, now);
        AuthorizePaymentConsumer.Stage(db, events, clock);
        return intent.Desired == before && before != desired ? null : events;
    }
}
