using Marketplace.Notification.Live;

namespace Marketplace.Notification.Api;

public sealed record NotificationPage(IReadOnlyList<NotificationDto> Items, int Page, int PageSize, int TotalCount, int UnreadCount);

public sealed record ReadAllResult(int Marked);

public sealed record EmailStatusDto(string ToAddress, string Status, int Attempts, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? LastError);

public sealed record NotificationLogEntry(
    Guid Id, string Kind, Guid? UserId, Guid? MerchantId, string Title, Guid? OrderId, string? Sku,
    DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, EmailStatusDto? Email);

public sealed record NotificationLogPage(IReadOnlyList<NotificationLogEntry> Items, int Page, int PageSize, int TotalCount);
