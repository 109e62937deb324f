using Marketplace.Notification.Domain;

namespace Marketplace.Notification.Live;

/// <summary>A notification as its reader receives it: in the REST answers and on the live stream alike.</summary>
public sealed record NotificationDto(
    Guid Id, string Kind, string Title, string Body, Guid? OrderId, string? Sku, Guid? MerchantId, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationDto From(InAppNotification n) =>
        new(n.Id, n.Kind, n.Title, n.Body, n.OrderId, n.Sku, n.MerchantId, n.CreatedAt, n.ReadAt);
}
