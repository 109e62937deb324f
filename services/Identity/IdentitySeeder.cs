using Marketplace.Identity.Api;
using Marketplace.Identity.Application;
using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Marketplace.Shared.Development;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Marketplace.Identity;

/// <summary>
/// Roles and API scopes exist in every environment. The development accounts and the password-grant
/// client exist only in Development (the README lists the accounts under "Using what is there").
/// </summary>
public static class IdentitySeeder
{
    public const string DevelopmentPassword = "Pass123$";

    private static readonly (string Email, string Name, string Role, Guid? Merchant)[] DevelopmentAccounts =
    [
        ("shopper@marketplace.test", "Sam Shopper", Roles.Shopper, null),
        ("shopper2@marketplace.test", "Sky Shopper", Roles.Shopper, null),
        ("merchant@marketplace.test", "Morgan Merchant", Roles.Merchant, DevelopmentMerchants.Ids[0]),
        ("merchant2@marketplace.test", "Max Merchant", Roles.Merchant, DevelopmentMerchants.Ids[1]),
        ("admin@marketplace.test", "Alex Admin", Roles.Admin, null),
    ];

    public static async Task SeedAsync(IServiceProvider services, bool development, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;

        var roles = sp.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole<Guid>(role)), $"role {role}");
            }
        }

        var scopes = sp.GetRequiredService<IOpenIddictScopeManager>();
        foreach (var api in ApiScopes.Services)
        {
            if (await scopes.FindByNameAsync(api, ct) is null)
            {
                await scopes.CreateAsync(new OpenIddictScopeDescriptor { Name = api, Resources = { api } }, ct);
            }
        }

        var applications = sp.GetRequiredService<IOpenIddictApplicationManager>();
        await ClientRegistry.SyncAsync(applications, sp.GetRequiredService<IConfiguration>(), ct);

        if (!development)
        {
            return;
        }

        if (await applications.FindByClientIdAsync(DevelopmentClients.Dev, ct) is null)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = DevelopmentClients.Dev,
                ClientType = ClientTypes.Public,
                DisplayName = "Marketplace development tools",
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.GrantTypes.Password,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.Scopes.Email,
                    Permissions.Scopes.Profile,
                    Permissions.Scopes.Roles,
                },
            };
            foreach (var api in ApiScopes.Services)
            {
                descriptor.Permissions.Add(Permissions.Prefixes.Scope + api);
            }
            await applications.CreateAsync(descriptor, ct);
        }

        var users = sp.GetRequiredService<UserManager<MarketplaceUser>>();
        var accounts = sp.GetRequiredService<Accounts>();
        foreach (var (email, name, role, merchant) in DevelopmentAccounts)
        {
            if (await users.FindByEmailAsync(email) is null)
            {
                Check((await accounts.OpenAsync(email, name, DevelopmentPassword, role, merchant, ct, emailConfirmed: true)).Result, email);
            }
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Seeding {what} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
