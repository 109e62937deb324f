using System.Security.Claims;

namespace Marketplace.ServiceDefaults.Authentication;

/// <summary>Who a token speaks for, in the claim names our tokens (and mapped Keycloak tokens) carry.</summary>
public static class MarketplaceClaims
{
    /// <summary>The account (<c>sub</c>) as a Guid, or null for a token without one (service tokens carry their client id).</summary>
    public static Guid? UserId(this ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue("sub"), out var id) ? id : null;

    /// <summary>The merchant a merchant account acts for (<c>merchant_id</c>).</summary>
    public static Guid? MerchantId(this ClaimsPrincipal user) =>
        user.IsInRole("merchant") && Guid.TryParse(user.FindFirstValue("merchant_id"), out var id) ? id : null;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole("admin");

    /// <summary>Admins act for every merchant; a merchant only for the one its token names.</summary>
    public static bool ActsFor(this ClaimsPrincipal user, Guid merchantId) => user.IsAdmin() || user.MerchantId() == merchantId;
}
