using Marketplace.Ordering.Domain;
using Marketplace.Shared.Contracts;

namespace Marketplace.Ordering.Tests;

/// <summary>The order's state machine on its own: each reply of the saga, in each state it can find the order in.</summary>
public sealed class OrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly SagaTimeouts Timeouts = new();
    private static readonly Guid Merchant = Guid.NewGuid();

    private static Order Held()
    {
        var id = Guid.NewGuid();
        OrderLine[] lines = [new() { OrderId = id, Sku = "LAMP-1", ProductId = Guid.NewGuid(), MerchantId = Merchant, Title = "Lamp", Quantity = 2, UnitPrice = 15m }];
        return Order.PlaceHeld(id, Guid.NewGuid(), lines, "USD", "pm_card_visa", new ShippingAddress("Ada", "1 Road", null, "Town", "12345", "GB"),
            Now + Timeouts.ReservationHold, Timeouts, Now);
    }

    private static Order Pending()
    {
        var id = Guid.NewGuid();
        OrderLine[] lines = [new() { OrderId = id, Sku = "LAMP-1", ProductId = Guid.NewGuid(), MerchantId = Merchant, Title = "Lamp", Quantity = 1, UnitPrice = 15m }];
        return Order.Place(id, Guid.NewGuid(), lines, "USD", "pm_card_visa", new ShippingAddress("Ada", "1 Road", null, "Town", "12345", "GB"), Timeouts, Now);
    }

    private static List<IIntegrationEvent> Take(Order order)
    {
        var messages = order.Outgoing.ToList();
        order.ClearOutgoing();
        return messages;
    }

    [Fact]
    public void A_held_order_asks_for_one_charge_and_announces_no_status_the_buyer_was_already_answered()
    {
        var order = Held();

        Assert.Equal((OrderStatus.AwaitingPayment, PaymentState.Requested), (order.Status, order.Payment));
        var messages = Take(order);
        Assert.Collection(messages,
            m => Assert.Equal((30m, true), (Assert.IsType<AuthorizePayment>(m).Amount, ((AuthorizePayment)m).CaptureNow)));
    }

    [Fact]
    public void A_pending_order_announces_itself_and_asks_for_the_hold()
    {
        var order = Pending();

        Assert.Equal(OrderStatus.Pending, order.Status);
        Assert.Collection(Take(order),
            m => Assert.Equal("Pending", Assert.IsType<OrderStatusChanged>(m).To),
            m => Assert.IsType<ReserveStock>(m));
    }

    [Fact]
    public void The_charge_confirms_the_order_commits_the_hold_and_tells_the_buyer_without_a_capture_request()
    {
        var order = Held();
        Take(order);

        order.PaymentCaptured(Now);

        Assert.Equal((OrderStatus.Confirmed, PaymentState.Captured, (DateTimeOffset?)null), (order.Status, order.Payment, order.DeadlineAt));
        // The confirmation carries the move for live views: no OrderStatusChanged besides it.
        Assert.Collection(Take(order),
            m => Assert.IsType<ConfirmReservation>(m),
            m => Assert.Equal(order.Sequence, Assert.IsType<OrderConfirmed>(m).Sequence));
        Assert.Equal([OrderStatus.Pending, OrderStatus.AwaitingPayment, OrderStatus.Confirmed], order.Transitions.Select(t => t.To));
    }

    [Fact]
    public void An_authorization_alone_confirms_the_order_and_asks_for_the_capture()
    {
        var order = Held();
        Take(order);

        order.PaymentAuthorized(Now);

        Assert.Equal((OrderStatus.Confirmed, PaymentState.Authorized), (order.Status, order.Payment));
        Assert.Collection(Take(order),
            m => Assert.IsType<ConfirmReservation>(m),
            m => Assert.IsType<CapturePayment>(m),
            m => Assert.IsType<OrderConfirmed>(m));
    }

    [Fact]
    public void A_charge_that_lands_after_the_order_gave_up_is_refunded()
    {
        var order = Held();
        order.TimedOut(Now + Timeouts.PaymentTimeout);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Contains(Take(order), m => m is VoidPayment);

        order.PaymentCaptured(Now + Timeouts.PaymentTimeout);

        Assert.Equal((OrderStatus.Cancelled, PaymentState.Captured), (order.Status, order.Payment));
        Assert.IsType<RefundPayment>(Assert.Single(Take(order)));

        // Delivered again, or after the refund's answer: nothing more.
        order.PaymentCaptured(Now + Timeouts.PaymentTimeout);
        Assert.Empty(Take(order));
        order.PaymentSettled(PaymentState.Refunded, Now + Timeouts.PaymentTimeout);
        order.PaymentCaptured(Now + Timeouts.PaymentTimeout);
        Assert.Equal(PaymentState.Refunded, order.Payment);
        Assert.Empty(Take(order));
    }

    [Fact]
    public void A_repeated_charge_answer_on_a_confirmed_order_changes_nothing()
    {
        var order = Held();
        order.PaymentCaptured(Now);
        Take(order);

        order.PaymentCaptured(Now);

        Assert.Equal((OrderStatus.Confirmed, PaymentState.Captured), (order.Status, order.Payment));
        Assert.Empty(Take(order));
    }

    [Fact]
    public void A_declined_charge_cancels_the_order_and_gives_the_units_back()
    {
        var order = Held();
        Take(order);

        order.PaymentDeclined("card_declined", Now);

        Assert.Equal((OrderStatus.Cancelled, PaymentState.Declined), (order.Status, order.Payment));
        var messages = Take(order);
        Assert.Contains(messages, m => m is ReleaseReservation);
        Assert.Equal(("Payment declined: card_declined", order.Sequence), messages.OfType<OrderCancelled>().Select(c => (c.Reason, c.Sequence)).Single());
        Assert.DoesNotContain(messages, m => m is VoidPayment or RefundPayment or OrderStatusChanged);
    }

    [Fact]
    public void A_confirmed_order_that_loses_its_hold_is_cancelled_and_refunded()
    {
        var order = Held();
        order.PaymentCaptured(Now);
        Take(order);

        order.ReservationLost("The stock hold expired before the payment was confirmed.", Now);

        Assert.Equal(OrderStatus.Cancelled, order.Status);
        var messages = Take(order);
        Assert.Contains(messages, m => m is RefundPayment);
        Assert.Contains(messages, m => m is ReleaseReservation);
    }

    [Fact]
    public void Only_legal_moves_are_made_and_a_shipped_order_cannot_be_cancelled()
    {
        var order = Held();
        order.PaymentCaptured(Now);

        Assert.False(Held().CanShip(Merchant));
        Assert.True(order.CanShip(Merchant));
        Assert.True(order.CanShip(null));
        Assert.False(order.CanShip(Guid.NewGuid()));

        var shipped = order.Ship(Merchant, "TRACK-1", $"merchant:{Merchant}", Now);

        Assert.False(order.CanShip(Merchant));
        Assert.Equal(["LAMP-1"], shipped);
        Assert.Equal(OrderStatus.Shipped, order.Status);
        Assert.Throws<IllegalTransitionException>(() => order.CancelByBuyer("changed my mind", Now));
        Assert.Throws<IllegalTransitionException>(() => order.Ship(Merchant, null, $"merchant:{Merchant}", Now));
        Assert.Throws<IllegalTransitionException>(() => Held().Ship(Merchant, null, $"merchant:{Merchant}", Now));
        foreach (var (from, to) in Order.LegalMoves.SelectMany(m => m.Value.Select(t => (m.Key, t))))
        {
            Assert.True(to > from || to == OrderStatus.Cancelled, $"{from} → {to} moves forward");
        }
    }
}
