using Marketplace.Shared.Contracts;

namespace Marketplace.Ordering.Domain;

public enum OrderStatus
{
    /// <summary>Placed; Inventory is asked to hold the stock.</summary>
    Pending,
    /// <summary>Stock is held; Payment is asked to authorize the total.</summary>
    AwaitingPayment,
    /// <summary>Paid for (authorized, capture asked); the merchants ship.</summary>
    Confirmed,
    PartiallyShipped,
    Shipped,
    Cancelled,
}

public enum PaymentState { None, Requested, Authorized, Captured, Voided, Refunded, Declined }

/// <summary>Refused because the order is not in a state that allows it (409).</summary>
public sealed class IllegalTransitionException(string message) : Exception(message);

/// <summary>
/// An order and the checkout saga that drives it. Every change goes through a method that checks the
/// move is legal, records it (who, when, why) and returns the messages it makes necessary, which the
/// caller stages in the outbox in the same transaction. Replies that arrive late or twice find the
/// order elsewhere and answer with compensation or nothing.
/// </summary>
public sealed class Order
{
    /// <summary>The only moves there are; the database refuses any other too (a trigger on orders).</summary>
    public static readonly IReadOnlyDictionary<OrderStatus, OrderStatus[]> LegalMoves = new Dictionary<OrderStatus, OrderStatus[]>
    {
        [OrderStatus.Pending] = [OrderStatus.AwaitingPayment, OrderStatus.Cancelled],
        [OrderStatus.AwaitingPayment] = [OrderStatus.Confirmed, OrderStatus.Cancelled],
        [OrderStatus.Confirmed] = [OrderStatus.PartiallyShipped, OrderStatus.Shipped, OrderStatus.Cancelled],
        [OrderStatus.PartiallyShipped] = [OrderStatus.Shipped],
        [OrderStatus.Shipped] = [],
        [OrderStatus.Cancelled] = [],
    };

    /// <summary>Statuses of a sale: paid for and not cancelled (what revenue counts).</summary>
    public static readonly OrderStatus[] Sold = [OrderStatus.Confirmed, OrderStatus.PartiallyShipped, OrderStatus.Shipped];

    /// <summary>Statuses of an order still in the checkout saga, waiting on stock or payment.</summary>
    public static readonly OrderStatus[] InCheckout = [OrderStatus.Pending, OrderStatus.AwaitingPayment];

    private readonly List<OrderLine> _lines = [];
    private readonly List<OrderTransition> _transitions = [];
    private readonly List<IIntegrationEvent> _outgoing = [];

    private Order() { }

    public Guid Id { get; private set; }
    public Guid BuyerId { get; private set; }
    public OrderStatus Status { get; private set; }
    public PaymentState Payment { get; private set; }
    public decimal Total { get; private set; }
    public string Currency { get; private set; } = "";
    public string PaymentMethod { get; private set; } = "";
    public ShippingAddress ShippingAddress { get; private set; } = null!;
    public string? CancelReason { get; private set; }
    /// <summary>When the step the order waits on gives up (stock or payment unanswered); null when waiting on nobody.</summary>
    public DateTimeOffset? DeadlineAt { get; private set; }
    /// <summary>Until when Inventory holds the units, when the hold was taken at the click (not stored: the placement's answer carries it).</summary>
    public DateTimeOffset? HoldUntil { get; private set; }
    /// <summary>How many moves the order has made; orders its status events for live views.</summary>
    public int Sequence { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyList<OrderLine> Lines => _lines;
    public IReadOnlyList<OrderTransition> Transitions => _transitions;
    public IEnumerable<Guid> MerchantIds => _lines.Select(l => l.MerchantId).Distinct();

    /// <summary>Messages the last changes made necessary; the caller stages them and clears the list.</summary>
    public IReadOnlyList<IIntegrationEvent> Outgoing => _outgoing;

    public void ClearOutgoing() => _outgoing.Clear();

    /// <summary>Placed without a hold yet (Inventory did not answer at the click): Inventory is asked to hold the stock.</summary>
    public static Order Place(Guid id, Guid buyerId, IReadOnlyList<OrderLine> lines, string currency, string paymentMethod,
        ShippingAddress address, SagaTimeouts timeouts, DateTimeOffset now)
    {
        var order = Create(id, buyerId, lines, currency, paymentMethod, address, timeouts, now, announcePending: true);
        order._outgoing.Add(new ReserveStock(id, [.. lines.Select(l => new StockLine(l.Sku, l.Quantity))], now + timeouts.ReservationHold, now));
        return order;
    }

    /// <summary>
    /// Placed with its stock already held (taken while the buyer waited for the answer): the order moves on to
    /// payment at once, and the buyer is told until when the units are theirs.
    /// </summary>
    public static Order PlaceHeld(Guid id, Guid buyerId, IReadOnlyList<OrderLine> lines, string currency, string paymentMethod,
        ShippingAddress address, DateTimeOffset holdUntil, SagaTimeouts timeouts, DateTimeOffset now)
    {
        // Nobody watches an order that did not exist a moment ago, and the buyer reads AwaitingPayment in the answer:
        // no status news is announced, and the first live news of a held order is its outcome (Confirmed or Cancelled).
        var order = Create(id, buyerId, lines, currency, paymentMethod, address, timeouts, now, announcePending: false);
        order.AskForPayment(timeouts, now, announce: false);
        order.HoldUntil = holdUntil;
        return order;
    }

    private static Order Create(Guid id, Guid buyerId, IReadOnlyList<OrderLine> lines, string currency, string paymentMethod,
        ShippingAddress address, SagaTimeouts timeouts, DateTimeOffset now, bool announcePending)
    {
        var order = new Order
        {
            Id = id, BuyerId = buyerId, Status = OrderStatus.Pending, Currency = currency, PaymentMethod = paymentMethod,
            ShippingAddress = address, Total = lines.Sum(l => l.Quantity * l.UnitPrice), CreatedAt = now, UpdatedAt = now,
            DeadlineAt = now + timeouts.StockTimeout,
        };
        order._lines.AddRange(lines);
        order._transitions.Add(new OrderTransition { OrderId = id, Sequence = 0, To = OrderStatus.Pending, At = now, Actor = $"buyer:{buyerId}", Reason = "placed" });
        if (announcePending)
        {
            order._outgoing.Add(new OrderStatusChanged(id, buyerId, [.. order.MerchantIds], "", nameof(OrderStatus.Pending), 0, now));
        }
        return order;
    }

    public void StockReserved(SagaTimeouts timeouts, DateTimeOffset now)
    {
        switch (Status)
        {
            case OrderStatus.Pending:
                AskForPayment(timeouts, now, announce: true);
                break;
            case OrderStatus.Cancelled:
                // Cancelled while the hold was on its way: give it back.
                _outgoing.Add(new ReleaseReservation(Id, CancelReason ?? "cancelled", now));
                break;
        }
    }

    /// <summary>The units are the buyer's: the payment is one charge (authorized and captured in one pass of Payment).</summary>
    private void AskForPayment(SagaTimeouts timeouts, DateTimeOffset now, bool announce)
    {
        Move(OrderStatus.AwaitingPayment, "inventory", "stock held", now, announce);
        DeadlineAt = now + timeouts.PaymentTimeout;
        Payment = PaymentState.Requested;
        _outgoing.Add(new AuthorizePayment(Id, BuyerId, Total, Currency, PaymentMethod, now, CaptureNow: true));
    }

    public void StockReservationFailed(string reason, DateTimeOffset now)
    {
        if (Status == OrderStatus.Pending)
        {
            Cancel("inventory", $"Out of stock: {reason}", now);
        }
    }

    public void PaymentAuthorized(DateTimeOffset now)
    {
        switch (Status)
        {
            case OrderStatus.AwaitingPayment:
                Confirm(PaymentState.Authorized, "payment authorized", now);
                break;
            case OrderStatus.Cancelled:
                // The authorization came after the order gave up on it: nothing may be charged.
                Payment = PaymentState.Authorized;
                _outgoing.Add(new VoidPayment(Id, CancelReason ?? "cancelled", now));
                break;
        }
    }

    /// <summary>
    /// The money is taken: the answer to a charge (the order is confirmed by it), or to the capture of an order confirmed on
    /// its authorization. Taken after the order gave up, it goes back.
    /// </summary>
    public void PaymentCaptured(DateTimeOffset now)
    {
        switch (Status)
        {
            case OrderStatus.AwaitingPayment:
                Confirm(PaymentState.Captured, "payment captured", now);
                break;
            case OrderStatus.Cancelled:
                if (Payment is not (PaymentState.Captured or PaymentState.Refunded))
                {
                    // Payment refunds a charge it was told to void; asking again makes it certain and changes nothing more.
                    Payment = PaymentState.Captured;
                    UpdatedAt = now;
                    _outgoing.Add(new RefundPayment(Id, CancelReason ?? "cancelled", now));
                }
                break;
            default:
                if (Payment is not PaymentState.Refunded)
                {
                    PaymentSettled(PaymentState.Captured, now);
                }
                break;
        }
    }

    /// <summary>Paid for: the hold stops expiring, and the capture is asked when the payment is only authorized.</summary>
    private void Confirm(PaymentState payment, string reason, DateTimeOffset now)
    {
        Payment = payment;
        Move(OrderStatus.Confirmed, "payment", reason, now, announce: false); // OrderConfirmed carries the move
        DeadlineAt = null;
        _outgoing.Add(new ConfirmReservation(Id, now));
        if (payment == PaymentState.Authorized)
        {
            _outgoing.Add(new CapturePayment(Id, now));
        }
        _outgoing.Add(new OrderConfirmed(Id, BuyerId, LineSnapshots(), Total, Currency, Sequence, now));
    }

    public void PaymentDeclined(string reason, DateTimeOffset now)
    {
        if (Status == OrderStatus.AwaitingPayment)
        {
            Payment = PaymentState.Declined;
            Cancel("payment", $"Payment declined: {reason}", now);
        }
    }

    public void PaymentSettled(PaymentState state, DateTimeOffset now)
    {
        Payment = state;
        UpdatedAt = now;
    }

    /// <summary>The step the order waited on did not answer in time.</summary>
    public void TimedOut(DateTimeOffset now)
    {
        switch (Status)
        {
            case OrderStatus.Pending when DeadlineAt <= now:
                Cancel("timeout", "Stock could not be reserved in time.", now);
                break;
            case OrderStatus.AwaitingPayment when DeadlineAt <= now:
                Cancel("timeout", "The payment was not answered in time.", now);
                break;
            default:
                DeadlineAt = null;
                break;
        }
    }

    public void ReservationLost(string reason, DateTimeOffset now)
    {
        if (Status is OrderStatus.Pending or OrderStatus.AwaitingPayment or OrderStatus.Confirmed)
        {
            Cancel("inventory", reason, now);
        }
    }

    /// <summary>The shopper changes their mind: allowed until something has shipped.</summary>
    public void CancelByBuyer(string? reason, DateTimeOffset now)
    {
        if (Status is OrderStatus.PartiallyShipped or OrderStatus.Shipped or OrderStatus.Cancelled)
        {
            throw new IllegalTransitionException(Status == OrderStatus.Cancelled
                ? "The order is already cancelled."
                : "The order has shipped and can no longer be cancelled.");
        }
        Cancel($"buyer:{BuyerId}", string.IsNullOrWhiteSpace(reason) ? "Cancelled by the shopper." : $"Cancelled by the shopper: {reason.Trim()}", now);
    }

    /// <summary>
    /// Whether the merchant (any merchant when null, as an admin sees it) has lines to ship now: the rule
    /// <see cref="Ship"/> enforces, said once for the lists that offer the action.
    /// </summary>
    public bool CanShip(Guid? merchantId) =>
        Status is OrderStatus.Confirmed or OrderStatus.PartiallyShipped
        && _lines.Any(l => (merchantId is null || l.MerchantId == merchantId) && l.ShippedAt is null);

    /// <summary>Marks the merchant's unshipped lines shipped; the order is Shipped once every line is.</summary>
    public IReadOnlyList<string> Ship(Guid merchantId, string? trackingNumber, string actor, DateTimeOffset now)
    {
        if (Status is not (OrderStatus.Confirmed or OrderStatus.PartiallyShipped))
        {
            throw new IllegalTransitionException($"An order that is {Describe(Status)} cannot ship.");
        }
        var lines = _lines.Where(l => l.MerchantId == merchantId && l.ShippedAt is null).ToList();
        if (lines.Count == 0)
        {
            throw new IllegalTransitionException("Every line of this merchant in the order has shipped already.");
        }
        foreach (var line in lines)
        {
            line.ShippedAt = now;
            line.TrackingNumber = trackingNumber;
        }
        var all = _lines.All(l => l.ShippedAt is not null);
        Move(all ? OrderStatus.Shipped : OrderStatus.PartiallyShipped, actor, $"shipped by merchant {merchantId}", now);
        var skus = lines.Select(l => l.Sku).ToList();
        _outgoing.Add(new CommitReservation(Id, skus, now));
        _outgoing.Add(new OrderShipped(Id, BuyerId, merchantId, skus, trackingNumber, all, now));
        return skus;
    }

    private void Cancel(string actor, string reason, DateTimeOffset now)
    {
        CancelReason = reason;
        Move(OrderStatus.Cancelled, actor, reason, now, announce: false); // OrderCancelled carries the move
        DeadlineAt = null;
        // Whatever may be held goes back; if the hold has not arrived yet, Inventory keeps a marker that refuses it.
        _outgoing.Add(new ReleaseReservation(Id, reason, now));
        switch (Payment)
        {
            case PaymentState.Requested:
                _outgoing.Add(new VoidPayment(Id, reason, now));
                break;
            case PaymentState.Authorized or PaymentState.Captured:
                // The capture asked for at confirmation may land before this: a refund covers both (Payment voids if nothing was captured).
                _outgoing.Add(new RefundPayment(Id, reason, now));
                break;
        }
        _outgoing.Add(new OrderCancelled(Id, BuyerId, [.. MerchantIds], reason, Sequence, now));
    }

    private void Move(OrderStatus to, string actor, string reason, DateTimeOffset now, bool announce = true)
    {
        if (!LegalMoves[Status].Contains(to))
        {
            throw new IllegalTransitionException($"An order that is {Describe(Status)} cannot become {Describe(to)}.");
        }
        var from = Status;
        Status = to;
        Sequence++;
        UpdatedAt = now;
        _transitions.Add(new OrderTransition { OrderId = Id, Sequence = Sequence, From = from, To = to, At = now, Actor = actor, Reason = reason });
        if (announce)
        {
            _outgoing.Add(new OrderStatusChanged(Id, BuyerId, [.. MerchantIds], from.ToString(), to.ToString(), Sequence, now));
        }
    }

    public static string Describe(OrderStatus status) => status switch
    {
        OrderStatus.AwaitingPayment => "awaiting payment",
        OrderStatus.PartiallyShipped => "partially shipped",
        _ => status.ToString().ToLowerInvariant(),
    };

    private List<OrderLineSnapshot> LineSnapshots() =>
        [.. _lines.Select(l => new OrderLineSnapshot(l.Sku, l.ProductId, l.MerchantId, l.Title, l.Quantity, l.UnitPrice))];
}

public sealed class OrderLine
{
    public Guid OrderId { get; set; }
    public string Sku { get; set; } = "";
    public Guid ProductId { get; set; }
    public Guid MerchantId { get; set; }
    public string Title { get; set; } = "";
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
    public DateTimeOffset? ShippedAt { get; set; }
    public string? TrackingNumber { get; set; }
}

/// <summary>One move of an order: from, to, when, who (<c>buyer:{id}</c>, <c>merchant:{id}</c>, a service, <c>timeout</c>) and why.</summary>
public sealed class OrderTransition
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public int Sequence { get; set; }
    public OrderStatus? From { get; set; }
    public OrderStatus To { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string Reason { get; set; } = "";
}

public sealed record ShippingAddress(string Name, string Line1, string? Line2, string City, string PostalCode, string Country);

/// <summary>How long the saga waits on each step (Ordering:StockTimeout, Ordering:PaymentTimeout, Ordering:ReservationHold).</summary>
public sealed class SagaTimeouts
{
    public TimeSpan StockTimeout { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How long Inventory holds the stock unconfirmed; longer than the payment wait, so payment gives up first.</summary>
    public TimeSpan ReservationHold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after a start Ordering lets queued replies drain before it times anything out.</summary>
    public TimeSpan GraceAfterStart { get; set; } = TimeSpan.FromSeconds(10);
}
