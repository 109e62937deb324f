using Microsoft.AspNetCore.Identity;

namespace Marketplace.Identity.Domain;

/// <summary>An account: a shopper, a merchant's staff member (with the merchant it acts for) or an admin.</summary>
public sealed class MarketplaceUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    /// <summary>Set for merchant accounts; every service scopes a merchant's changes to this id.</summary>
    public Guid? MerchantId { get; set; }
}

public static class Roles
{
    public const string Shopper = "shopper";
    public const string Merchant = "merchant";
    public const string Admin = "admin";

    /// <summary>Given only to client-credentials tokens of our own services, never to an account.</summary>
    public const string Service = "service";

    /// <summary>The roles an account can hold.</summary>
    public static readonly string[] All = [Shopper, Merchant, Admin];
}

/// <summary>Claim types the tokens carry beyond the OpenID Connect standard ones.</summary>
public static class MarketplaceClaims
{
    public const string MerchantId = "merchant_id";
}
