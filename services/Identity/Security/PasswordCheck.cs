using Marketplace.Identity.Domain;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Identity.Security;

/// <summary>
/// The one password check of the sign-in page and the password grant. It never locks an account
/// (guessing is slowed by <see cref="SignInThrottle"/> instead), and an unknown account costs the same
/// hash as a known one, so the time taken does not tell which accounts exist.
/// </summary>
public sealed class PasswordCheck(UserManager<MarketplaceUser> users, SignInManager<MarketplaceUser> signIn)
{
    private static readonly MarketplaceUser Nobody = new() { UserName = "nobody", Email = "nobody@invalid" };
    private static readonly Lazy<string> NobodysHash = new(() => new PasswordHasher<MarketplaceUser>().HashPassword(Nobody, Guid.NewGuid().ToString()));

    /// <summary>The account if <paramref name="login"/> names one that may sign in and the password is its own; otherwise null.</summary>
    public async Task<MarketplaceUser?> CheckAsync(string login, string password)
    {
        var user = IsPlausibleLogin(login)
            ? await users.FindByEmailAsync(login) ?? await users.FindByNameAsync(login)
            : null;
        if (user is null)
        {
            users.PasswordHasher.VerifyHashedPassword(Nobody, NobodysHash.Value, password);
            return null;
        }
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: false);
        return result.Succeeded ? user : null;
    }

    /// <summary>What could be an account's e-mail or user name; anything else is not looked up (PostgreSQL refuses NUL, for one).</summary>
    private static bool IsPlausibleLogin(string login) =>
        login.Length is > 0 and <= 256 && PlainText.IsPlain(login);
}
