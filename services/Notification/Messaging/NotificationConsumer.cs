using MassTransit;
using Marketplace.Notification.Contacts;
using Marketplace.Notification.Data;
using Marketplace.Notification.Domain;
using Marketplace.Notification.Email;
using Marketplace.Notification.Live;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;

namespace Marketplace.Notification.Messaging;

/// <summary>What a notification consumer hands on once its transaction has committed.</summary>
public sealed class NotificationDelivery(LiveUpdatePublisher live, EmailSignal emailSignal, TimeProvider clock)
{
    public TimeProvider Clock { get; } = clock;

    public async Task AfterCommitAsync(IReadOnlyCollection<LiveUpdate> updates, bool emailQueued)
    {
        if (emailQueued)
        {
            emailSignal.Notify();
        }
        await live.PublishAsync(updates);
    }
}

/// <summary>
/// An idempotent consumer that stores notifications and queues e-mails in the inbox row's transaction,
/// and only after that commit pushes live updates and wakes the e-mail sender: nothing is announced
/// that a rollback could take back, and a duplicate (skipped) message announces nothing.
/// </summary>
public abstract class NotificationConsumer<TMessage>(NotificationDbContext db, NotificationDelivery delivery, ILogger logger)
    : IdempotentConsumer<TMessage, NotificationDbContext>(db, logger), IConsumer<TMessage>
    where TMessage : class
{
    private readonly List<LiveUpdate> _liveUpdates = [];
    private bool _emailQueued;

    protected DateTimeOffset Now { get; private set; }

    async Task IConsumer<TMessage>.Consume(ConsumeContext<TMessage> context)
    {
        await Consume(context);
        await delivery.AfterCommitAsync(_liveUpdates, _emailQueued);
    }

    protected sealed override Task HandleAsync(TMessage message, ConsumeContext<TMessage> context, CancellationToken ct)
    {
        // A retried transaction runs the handler again from a clean change tracker: start over here too.
        _liveUpdates.Clear();
        _emailQueued = false;
        Now = delivery.Clock.GetUtcNow();
        return ComposeAsync(message, ct);
    }

    /// <summary>Adds the message's notifications (and e-mails) through <see cref="Notify"/> and <see cref="QueueEmail"/>.</summary>
    protected abstract Task ComposeAsync(TMessage message, CancellationToken ct);

    protected InAppNotification Notify(InAppNotification notification)
    {
        Db.Notifications.Add(notification);
        _liveUpdates.Add(LiveUpdate.For(notification));
        return notification;
    }

    protected void QueueEmail(InAppNotification notification, BuyerContact contact, EmailContent content)
    {
        Db.EmailMessages.Add(EmailMessage.Create(notification, contact.Email, content, Now));
        _emailQueued = true;
    }

    protected void Push(IEnumerable<LiveUpdate> updates) => _liveUpdates.AddRange(updates);

    /// <summary>The buyer's notification, and its e-mail when their preference for <paramref name="kind"/> is on.</summary>
    protected InAppNotification NotifyBuyer(BuyerContact contact, string kind, NotificationText text, Guid orderId, IReadOnlyList<OrderLineSnapshot>? lines = null)
    {
        var notification = Notify(InAppNotification.ForUser(contact.UserId, kind, text, Now, orderId));
        if (contact.WantsEmail(kind))
        {
            QueueEmail(notification, contact, NotificationContent.Email(contact, text, lines));
        }
        return notification;
    }
}
