namespace Marketplace.ServiceDefaults.Authentication;

/// <summary>Authorization policies every service registers through <see cref="AuthenticationExtensions"/>.</summary>
public static class MarketplacePolicies
{
    /// <summary>Internal endpoints: only client-credentials tokens of our own services.</summary>
    public const string Service = "service";

    /// <summary>The role our Identity service gives client-credentials tokens (in Keycloak: a realm role of each service account).</summary>
    public const string ServiceRole = "service";

    /// <summary>Merchant console: merchants (their own data) and admins (all of it).</summary>
    public const string MerchantOrAdmin = "merchant-or-admin";

    public const string Admin = "admin";
}
