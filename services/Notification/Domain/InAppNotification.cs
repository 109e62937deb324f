namespace Marketplace.Notification.Domain;

/// <summary>The kinds a notification can be; the buyer-facing ones double as Users' e-mail preference keys.</summary>
public static class NotificationKinds
{
    public const string OrderConfirmed = "order-confirmed";
    public const string OrderCancelled = "order-cancelled";
    public const string OrderShipped = "order-shipped";
    public const string NewOrder = "new-order";
    public const string LowStock = "low-stock";

    public static readonly IReadOnlyList<string> All = [OrderConfirmed, OrderCancelled, OrderShipped, NewOrder, LowStock];
}

/// <summary>
/// One in-app notification, addressed either to a user or to a merchant. Users does not map merchant
/// ids to accounts, so a merchant's notification is shared by every account whose token carries that
/// <c>merchant_id</c>; reading it marks it read for all of them.
/// </summary>
public sealed class InAppNotification
{
    private InAppNotification() { }

    public Guid Id { get; private set; }
    public Guid? UserId { get; private set; }
    public Guid? MerchantId { get; private set; }
    public string Kind { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string Body { get; private set; } = "";
    public Guid? OrderId { get; private set; }
    public string? Sku { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ReadAt { get; private set; }

    /// <summary>The e-mail sent for it, when the recipient wanted one.</summary>
    public EmailMessage? Email { get; private set; }

    public static InAppNotification ForUser(Guid userId, string kind, NotificationText text, DateTimeOffset now, Guid? orderId = null) =>
        Create(kind, text, now, orderId, sku: null, userId: userId, merchantId: null);

    public static InAppNotification ForMerchant(Guid merchantId, string kind, NotificationText text, DateTimeOffset now, Guid? orderId = null, string? sku = null) =>
        Create(kind, text, now, orderId, sku, userId: null, merchantId: merchantId);

    private static InAppNotification Create(string kind, NotificationText text, DateTimeOffset now, Guid? orderId, string? sku, Guid? userId, Guid? merchantId)
    {
        if (!NotificationKinds.All.Contains(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown notification kind.");
        }
        return new InAppNotification
        {
            // Version 7: ordered by creation time, so the newest-first index stays append-only.
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            MerchantId = merchantId,
            Kind = kind,
            Title = text.Title,
            Body = text.Body,
            OrderId = orderId,
            Sku = sku,
            CreatedAt = now,
        };
    }

    /// <summary>Reading twice keeps the first time.</summary>
    public void MarkRead(DateTimeOffset at) => ReadAt ??= at;
}

public sealed record NotificationText(string Title, string Body);
