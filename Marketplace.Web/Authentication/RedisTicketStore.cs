using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace Marketplace.Web.Authentication;

/// <summary>
/// Keeps sign-in sessions (claims and the user's tokens, ~10 KB) in Redis, encrypted with the shared
/// Data Protection keys; the browser's cookie holds only the session key. Every replica sees every
/// session, signing out removes it everywhere, and the cookie stays far below header limits.
/// </summary>
public sealed class RedisTicketStore(IConnectionMultiplexer redis, IDataProtectionProvider protection, TimeProvider clock) : ITicketStore
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);
    private readonly IDataProtector _protector = protection.CreateProtector("Marketplace.Web.Sessions");

    private static RedisKey Key(string id) => $"web:session:{id}";

    /// <summary>
    /// The claim naming the session's key on the stored principal: an interactive circuit, which has no
    /// HttpContext, finds the session (and so the user's tokens) through it. It never leaves the server.
    /// </summary>
    public const string SessionKeyClaim = "mp:session";

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        if (ticket.Principal.Identity is System.Security.Claims.ClaimsIdentity identity)
        {
            foreach (var stale in identity.FindAll(SessionKeyClaim).ToList())
            {
                identity.RemoveClaim(stale);
            }
            identity.AddClaim(new System.Security.Claims.Claim(SessionKeyClaim, id));
        }
        await RenewAsync(id, ticket);
        return id;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        var lifetime = ticket.Properties.ExpiresUtc is { } expires ? expires - clock.GetUtcNow() : DefaultLifetime;
        var payload = _protector.Protect(TicketSerializer.Default.Serialize(ticket));
        return redis.GetDatabase().StringSetAsync(Key(key), payload, lifetime > TimeSpan.Zero ? lifetime : DefaultLifetime);
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var payload = (byte[]?)await redis.GetDatabase().StringGetAsync(Key(key));
        if (payload is null)
        {
            return null;
        }
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(payload));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Keys rotated away or tampered: treat as signed out.
            return null;
        }
    }

    public Task RemoveAsync(string key) => redis.GetDatabase().KeyDeleteAsync(Key(key));
}
