namespace Marketplace.Identity.Api;

/// <summary>The API scopes: one per service, each granting the audience that service validates.</summary>
public static class ApiScopes
{
    public static readonly string[] Services = ["catalog", "inventory", "ordering", "payment", "search", "users", "notification"];
}

public static class DevelopmentClients
{
    /// <summary>Public client allowed the password grant, for tests and the load generator; Development only.</summary>
    public const string Dev = "marketplace-dev";
}
