using System.Security.Claims;
using Marketplace.Notification.Domain;

namespace Marketplace.Notification.Api;

/// <summary>
/// Whose notifications a caller sees: their own (claim <c>sub</c>) and, for merchants, those of the
/// merchant in their token (claim <c>merchant_id</c>). Service tokens name no user and see none.
/// </summary>
public sealed record Viewer(Guid UserId, Guid? MerchantId, bool IsAdmin)
{
    public static Viewer? From(ClaimsPrincipal user)
    {
        if (!Guid.TryParse(user.FindFirstValue("sub"), out var userId))
        {
            return null;
        }
        Guid? merchantId = user.IsInRole("merchant") && Guid.TryParse(user.FindFirstValue("merchant_id"), out var m) ? m : null;
        return new Viewer(userId, merchantId, user.IsInRole("admin"));
    }

    public IQueryable<InAppNotification> Inbox(IQueryable<InAppNotification> notifications)
    {
        var userId = UserId;
        var merchantId = MerchantId;
        return merchantId is null
            ? notifications.Where(n => n.UserId == userId)
            : notifications.Where(n => n.UserId == userId || n.MerchantId == merchantId);
    }
}
