using Marketplace.Notification.Contacts;
using Marketplace.Notification.Data;
using Marketplace.Notification.Domain;
using Marketplace.Notification.Live;
using Marketplace.Shared.Contracts;
using MassTransit;

namespace Marketplace.Notification.Messaging;

/// <summary>The buyer hears their order is confirmed; each merchant in it gets a new-order notification; the live views see it Confirmed.</summary>
public sealed class OrderConfirmedConsumer(NotificationDbContext db, ContactBook contacts, NotificationDelivery delivery, ILogger<OrderConfirmedConsumer> logger)
    : NotificationConsumer<OrderConfirmed>(db, delivery, logger)
{
    protected override async Task ComposeAsync(OrderConfirmed m, CancellationToken ct)
    {
        var buyer = await contacts.GetAsync(m.BuyerId, ct);
        Push(LiveUpdate.For(m));
        NotifyBuyer(buyer, NotificationKinds.OrderConfirmed, NotificationContent.OrderConfirmed(m), m.OrderId, m.Lines);
        foreach (var merchantLines in m.Lines.GroupBy(l => l.MerchantId))
        {
            Notify(InAppNotification.ForMerchant(merchantLines.Key, NotificationKinds.NewOrder,
                NotificationContent.NewOrder(m.OrderId, merchantLines.ToList()), Now, m.OrderId));
        }
    }
}

public sealed class OrderCancelledConsumer(NotificationDbContext db, ContactBook contacts, NotificationDelivery delivery, ILogger<OrderCancelledConsumer> logger)
    : NotificationConsumer<OrderCancelled>(db, delivery, logger)
{
    protected override async Task ComposeAsync(OrderCancelled m, CancellationToken ct)
    {
        var buyer = await contacts.GetAsync(m.BuyerId, ct);
        Push(LiveUpdate.For(m));
        NotifyBuyer(buyer, NotificationKinds.OrderCancelled, NotificationContent.OrderCancelled(m), m.OrderId);
    }
}

public sealed class OrderShippedConsumer(NotificationDbContext db, ContactBook contacts, NotificationDelivery delivery, ILogger<OrderShippedConsumer> logger)
    : NotificationConsumer<OrderShipped>(db, delivery, logger)
{
    protected override async Task ComposeAsync(OrderShipped m, CancellationToken ct)
    {
        var buyer = await contacts.GetAsync(m.BuyerId, ct);
        NotifyBuyer(buyer, NotificationKinds.OrderShipped, NotificationContent.OrderShipped(m), m.OrderId);
    }
}

public sealed class LowStockConsumer(NotificationDbContext db, NotificationDelivery delivery, ILogger<LowStockConsumer> logger)
    : NotificationConsumer<LowStock>(db, delivery, logger)
{
    protected override Task ComposeAsync(LowStock m, CancellationToken ct)
    {
        Notify(InAppNotification.ForMerchant(m.MerchantId, NotificationKinds.LowStock, NotificationContent.LowStock(m), Now, sku: m.Sku));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The moves no other event announces (Pending, AwaitingPayment, Shipped). Nothing stored, so no transaction: the buyer's
/// open views just move the order along. A redelivered status is pushed
/// again with the same sequence, which a view that has it already ignores; a push lost with Redis is read on the next load.
/// </summary>
public sealed class OrderStatusChangedConsumer(LiveUpdatePublisher live) : IConsumer<OrderStatusChanged>
{
    public Task Consume(ConsumeContext<OrderStatusChanged> context) => live.PublishAsync([.. LiveUpdate.For(context.Message)]);
}

/// <summary>Keeps this service's copy of a user's contact (<see cref="ContactBook"/>): a higher revision replaces it, so a repeat changes nothing.</summary>
public sealed class ContactChangedConsumer(ContactBook contacts) : IConsumer<ContactChanged>
{
    public Task Consume(ConsumeContext<ContactChanged> context)
    {
        var m = context.Message;
        return contacts.KeepAsync(new BuyerContact(m.UserId, m.Email, m.DisplayName, m.EmailPreferences, m.Revision), context.CancellationToken);
    }
}
