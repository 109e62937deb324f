using System.Globalization;
using System.Security.Claims;
using Marketplace.Notification.Data;
using Marketplace.Notification.Live;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Notification.Api;

/// <summary>
/// The signed-in user's notifications (merchants': also their merchant's), their live stream, and the
/// merchant console's log. Another user's notification id answers 404, as if it did not exist.
/// </summary>
public static class NotificationEndpoints
{
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/notifications").RequireAuthorization().WithTags("Notifications");
        notifications.MapGet("/", List);
        notifications.MapPost("/{id:guid}/read", MarkRead);
        notifications.MapPost("/read-all", MarkAllRead);
        notifications.MapGet("/stream", Stream);
        notifications.MapGet("/log", Log).RequireAuthorization(MarketplacePolicies.MerchantOrAdmin);
        return app;
    }

    private static async Task<Results<Ok<NotificationPage>, ValidationProblem, ProblemHttpResult>> List(
        string? unreadOnly, string? page, string? pageSize, ClaimsPrincipal user, NotificationDbContext db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, errors);
        var onlyUnread = false;
        if (unreadOnly is not null && !bool.TryParse(unreadOnly, out onlyUnread))
        {
            errors["unreadOnly"] = ["unreadOnly must be true or false."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (Viewer.From(user) is not { } viewer)
        {
            return NoUser();
        }

        var inbox = viewer.Inbox(db.Notifications.AsNoTracking());
        var unreadCount = await inbox.CountAsync(n => n.ReadAt == null, ct);
        var listed = onlyUnread ? inbox.Where(n => n.ReadAt == null) : inbox;
        var total = onlyUnread ? unreadCount : await listed.CountAsync(ct);
        var items = await listed
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip(paging.Skip).Take(paging.PageSize)
            .ToListAsync(ct);
        return TypedResults.Ok(new NotificationPage(items.Select(NotificationDto.From).ToList(), paging.Page, paging.PageSize, total, unreadCount));
    }

    private static async Task<Results<Ok<NotificationDto>, ProblemHttpResult>> MarkRead(
        Guid id, ClaimsPrincipal user, NotificationDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (Viewer.From(user) is not { } viewer)
        {
            return NoUser();
        }
        var notification = await viewer.Inbox(db.Notifications).SingleOrDefaultAsync(n => n.Id == id, ct);
        if (notification is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Notification not found",
                detail: "You have no notification with this id.");
        }
        notification.MarkRead(clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(NotificationDto.From(notification));
    }

    private static async Task<Results<Ok<ReadAllResult>, ProblemHttpResult>> MarkAllRead(
        ClaimsPrincipal user, NotificationDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (Viewer.From(user) is not { } viewer)
        {
            return NoUser();
        }
        var now = clock.GetUtcNow();
        // Only what existed when asked: a notification arriving meanwhile stays unread.
        var marked = await viewer.Inbox(db.Notifications)
            .Where(n => n.ReadAt == null && n.CreatedAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return TypedResults.Ok(new ReadAllResult(marked));
    }

    private static Results<NotificationEventStream, ProblemHttpResult> Stream(ClaimsPrincipal user)
    {
        if (Viewer.From(user) is not { } viewer)
        {
            return NoUser();
        }
        // The stream lives as long as the token it is opened with (a token always names its expiry: the token check requires one).
        if (!long.TryParse(user.FindFirstValue("exp"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Token without expiry",
                detail: "A live stream lasts as long as the access token it is opened with, and this token names no expiry (claim exp).");
        }
        List<StackExchange.Redis.RedisChannel> channels = [LiveChannels.User(viewer.UserId)];
        if (viewer.MerchantId is { } merchantId)
        {
            channels.Add(LiveChannels.Merchant(merchantId));
        }
        return new NotificationEventStream(channels, viewer.UserId, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    private static async Task<Results<Ok<NotificationLogPage>, ValidationProblem, ProblemHttpResult>> Log(
        string? page, string? pageSize, ClaimsPrincipal user, NotificationDbContext db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = Paging.Parse(page, pageSize, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var viewer = Viewer.From(user);
        var notifications = db.Notifications.AsNoTracking();
        if (viewer is not { IsAdmin: true })
        {
            if (viewer?.MerchantId is not { } merchantId)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No merchant",
                    detail: "Your token names no merchant (claim merchant_id), so there is no merchant log to show.");
            }
            notifications = notifications.Where(n => n.MerchantId == merchantId);
        }

        var total = await notifications.CountAsync(ct);
        var items = await notifications
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip(paging.Skip).Take(paging.PageSize)
            .Select(n => new NotificationLogEntry(n.Id, n.Kind, n.UserId, n.MerchantId, n.Title, n.OrderId, n.Sku, n.CreatedAt, n.ReadAt,
                n.Email == null ? null : new EmailStatusDto(
                    n.Email.ToAddress, n.Email.Status.ToString(), n.Email.Attempts, n.Email.SentAt,
                    n.Email.Status == Domain.EmailStatus.Pending ? n.Email.NextAttemptAt : null, n.Email.LastError)))
            .ToListAsync(ct);
        return TypedResults.Ok(new NotificationLogPage(items, paging.Page, paging.PageSize, total));
    }

    private static ProblemHttpResult NoUser() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No user",
        detail: "Notifications belong to users; this token names none (its sub is not a user id).");

    private readonly record struct Paging(int Page, int PageSize)
    {
        public int Skip => (Page - 1) * PageSize;

        public static Paging Parse(string? page, string? pageSize, Dictionary<string, string[]> errors)
        {
            var p = ParseInt(page, "page", 1, 1, 10_000, errors);
            var size = ParseInt(pageSize, "pageSize", 20, 1, MaxPageSize, errors);
            return new Paging(p, size);
        }

        private static int ParseInt(string? value, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
        {
            if (value is null)
            {
                return fallback;
            }
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
            {
                return parsed;
            }
            errors[name] = [$"{name} must be a whole number from {min} to {max}."];
            return fallback;
        }
    }
}
