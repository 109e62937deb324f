using Marketplace.Ordering.Application;
using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Marketplace.Ordering.Saga;

/// <summary>
/// A reply to the checkout saga: handled once per message (inbox), with the order's row locked, the
/// aggregate deciding what the reply means in the order's current state, and the messages that follow
/// staged in the same transaction. A reply about an order this service does not have changes nothing.
/// </summary>
public abstract class SagaReplyConsumer<TMessage>(OrderingDbContext db, TimeProvider clock, ILogger logger)
    : IdempotentConsumer<TMessage, OrderingDbContext>(db, logger)
    where TMessage : class
{
    protected abstract Guid OrderIdOf(TMessage message);

    protected abstract void Apply(Order order, TMessage message, DateTimeOffset now);

    protected override async Task HandleAsync(TMessage message, ConsumeContext<TMessage> context, CancellationToken ct)
    {
        var order = await Db.LoadForUpdateAsync(OrderIdOf(message), ct);
        if (order is null)
        {
            Logger.LogInformation("{Message} names order {OrderId}, which Ordering does not have; ignored", typeof(TMessage).Name, OrderIdOf(message));
            return;
        }
        var before = order.Status;
        Apply(order, message, clock.GetUtcNow());
        if (order.Status != before)
        {
            (order.Status switch
            {
                OrderStatus.Confirmed => OrderingTelemetry.OrdersConfirmed,
                OrderStatus.Cancelled => OrderingTelemetry.OrdersCancelled,
                _ => null,
            })?.Add(1);
        }
        Db.StageOutgoing(order);
    }
}

public sealed class StockReservedConsumer(OrderingDbContext db, TimeProvider clock, IOptions<SagaTimeouts> timeouts, ILogger<StockReservedConsumer> log)
    : SagaReplyConsumer<StockReserved>(db, clock, log)
{
    protected override Guid OrderIdOf(StockReserved m) => m.OrderId;
    protected override void Apply(Order order, StockReserved m, DateTimeOffset now) => order.StockReserved(timeouts.Value, now);
}

public sealed class StockReservationFailedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<StockReservationFailedConsumer> log)
    : SagaReplyConsumer<StockReservationFailed>(db, clock, log)
{
    protected override Guid OrderIdOf(StockReservationFailed m) => m.OrderId;
    protected override void Apply(Order order, StockReservationFailed m, DateTimeOffset now) => order.StockReservationFailed(m.Reason, now);
}

public sealed class ReservationExpiredConsumer(OrderingDbContext db, TimeProvider clock, ILogger<ReservationExpiredConsumer> log)
    : SagaReplyConsumer<ReservationExpired>(db, clock, log)
{
    protected override Guid OrderIdOf(ReservationExpired m) => m.OrderId;
    protected override void Apply(Order order, ReservationExpired m, DateTimeOffset now) => order.ReservationLost("The stock hold expired before the payment was confirmed.", now);
}

public sealed class ReservationConfirmationFailedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<ReservationConfirmationFailedConsumer> log)
    : SagaReplyConsumer<ReservationConfirmationFailed>(db, clock, log)
{
    protected override Guid OrderIdOf(ReservationConfirmationFailed m) => m.OrderId;
    protected override void Apply(Order order, ReservationConfirmationFailed m, DateTimeOffset now) => order.ReservationLost(m.Reason, now);
}

public sealed class PaymentAuthorizedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<PaymentAuthorizedConsumer> log)
    : SagaReplyConsumer<PaymentAuthorized>(db, clock, log)
{
    protected override Guid OrderIdOf(PaymentAuthorized m) => m.OrderId;
    protected override void Apply(Order order, PaymentAuthorized m, DateTimeOffset now) => order.PaymentAuthorized(now);
}

public sealed class PaymentDeclinedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<PaymentDeclinedConsumer> log)
    : SagaReplyConsumer<PaymentDeclined>(db, clock, log)
{
    protected override Guid OrderIdOf(PaymentDeclined m) => m.OrderId;
    protected override void Apply(Order order, PaymentDeclined m, DateTimeOffset now) => order.PaymentDeclined(m.Reason, now);
}

public sealed class PaymentCapturedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<PaymentCapturedConsumer> log)
    : SagaReplyConsumer<PaymentCaptured>(db, clock, log)
{
    protected override Guid OrderIdOf(PaymentCaptured m) => m.OrderId;
    protected override void Apply(Order order, PaymentCaptured m, DateTimeOffset now) => order.PaymentCaptured(now);
}

public sealed class PaymentVoidedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<PaymentVoidedConsumer> log)
    : SagaReplyConsumer<PaymentVoided>(db, clock, log)
{
    protected override Guid OrderIdOf(PaymentVoided m) => m.OrderId;
    protected override void Apply(Order order, PaymentVoided m, DateTimeOffset now) => order.PaymentSettled(PaymentState.Voided, now);
}

public sealed class PaymentRefundedConsumer(OrderingDbContext db, TimeProvider clock, ILogger<PaymentRefundedConsumer> log)
    : SagaReplyConsumer<PaymentRefunded>(db, clock, log)
{
    protected override Guid OrderIdOf(PaymentRefunded m) => m.OrderId;
    protected override void Apply(Order order, PaymentRefunded m, DateTimeOffset now) => order.PaymentSettled(PaymentState.Refunded, now);
}
