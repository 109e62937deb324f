namespace Marketplace.Web.Services;

// In-app notifications and the mail log. The gateway's public API as the web app reads it (JSON with web defaults).

public sealed record Notification(
    Guid Id, string Kind, string Title, string Body, Guid? OrderId, string? Sku, Guid? MerchantId, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record NotificationPage(List<Notification> Items, int Page, int PageSize, int TotalCount, int UnreadCount);

public sealed record EmailStatus(string ToAddress, string Status, int Attempts, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? LastError);

public sealed record NotificationLogEntry(
    Guid Id, string Kind, Guid? UserId, Guid? MerchantId, string Title, Guid? OrderId, string? Sku,
    DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, EmailStatus? Email);

public sealed record NotificationLogPage(List<NotificationLogEntry> Items, int Page, int PageSize, int TotalCount);
