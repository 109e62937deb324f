using Microsoft.AspNetCore.Identity;

namespace Marketplace.Identity.Security;

/// <summary>
/// How many PBKDF2 iterations a new password hash takes (<c>Identity:PasswordHasher:IterationCount</c>): ASP.NET Core
/// Identity's own default (100,000) unless configured. More is allowed anywhere; fewer only in Development, where the
/// flash-sale benchmark registers and signs in 2,000 throw-away buyers (two hashes each, ~80 ms of CPU apiece on this
/// machine). A stored hash carries its own count, so a change applies to new hashes, and a sign-in under a higher
/// configured count re-hashes the password (ASP.NET Core Identity's <c>SuccessRehashNeeded</c>).
/// </summary>
public static class PasswordHashing
{
    public const string Key = "Identity:PasswordHasher:IterationCount";

    /// <summary>The iterations to configure, or null to keep the default; throws on a count the environment may not use.</summary>
    public static int? Iterations(int? configured, bool isDevelopment)
    {
        if (configured is not { } count)
        {
            return null;
        }
        var floor = new PasswordHasherOptions().IterationCount;
        if (count < 1 || (count < floor && !isDevelopment))
        {
            throw new InvalidOperationException(
                $"{Key} is {count}: a password hash takes at least {(isDevelopment ? 1 : floor)} iterations{(isDevelopment ? "" : " outside Development")}.");
        }
        return count;
    }
}
