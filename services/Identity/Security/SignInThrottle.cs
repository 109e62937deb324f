using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Identity.Security;

public sealed class SignInThrottleOptions
{
    /// <summary>Failed attempts one client address may make at one account per window.</summary>
    public int FailuresPerAccountAndAddress { get; set; } = 5;

    /// <summary>Failed attempts one client address may make at all accounts together per window.</summary>
    public int FailuresPerAddress { get; set; } = 100;

    /// <summary>Starts at a bucket's first failure; when it ends the bucket is empty again.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Slows password guessing without letting anyone lock an account: failures are counted per
/// (account, client address) and per client address, never per account alone, so the owner signing in
/// from their own address is never refused because of someone else's guesses. An attempt is counted
/// when admitted (so parallel guesses cannot slip past the limit) and given back when the password was
/// right. The counters live in Redis, shared by every replica.
/// </summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, IOptions<SignInThrottleOptions> options)
{
    // Refuses (returns the longest remaining wait in ms) if either bucket is full; otherwise counts the attempt in both.
    private const string AdmitScript = """
        local pair = tonumber(redis.call('GET', KEYS[1]) or '0')
        local address = tonumber(redis.call('GET', KEYS[2]) or '0')
        local wait = 0
        if pair >= tonumber(ARGV[2]) then wait = math.max(wait, redis.call('PTTL', KEYS[1])) end
        if address >= tonumber(ARGV[3]) then wait = math.max(wait, redis.call('PTTL', KEYS[2])) end
        if pair >= tonumber(ARGV[2]) or address >= tonumber(ARGV[3]) then
          if wait <= 0 then wait = tonumber(ARGV[1]) end
          return wait
        end
        for i = 1, 2 do
          if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
        end
        return 0
        """;

    private const string SucceededScript = """
        redis.call('DEL', KEYS[1])
        local address = tonumber(redis.call('GET', KEYS[2]) or '0')
        if address > 0 then redis.call('DECR', KEYS[2]) end
        return 0
        """;

    private readonly SignInThrottleOptions _options = options.Value;

    /// <summary>Null when the attempt may go ahead (it is counted as a failure until <see cref="SucceededAsync"/>); otherwise how long to wait.</summary>
    public async Task<TimeSpan?> AdmitAsync(string account, IPAddress? address)
    {
        var waitMs = (long)await redis.GetDatabase().ScriptEvaluateAsync(AdmitScript, Keys(account, address),
            [(long)_options.Window.TotalMilliseconds, _options.FailuresPerAccountAndAddress, _options.FailuresPerAddress]);
        return waitMs > 0 ? TimeSpan.FromMilliseconds(waitMs) : null;
    }

    /// <summary>The password was right: this attempt was no failure, and the account's bucket at this address empties.</summary>
    public Task SucceededAsync(string account, IPAddress? address) =>
        redis.GetDatabase().ScriptEvaluateAsync(SucceededScript, Keys(account, address));

    private static RedisKey[] Keys(string account, IPAddress? address)
    {
        var client = AddressKey(address);
        // Hashed: the key's length does not depend on whatever was typed as the account.
        var accountHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(account.Trim().ToUpperInvariant())));
        return [$"identity:signin:pair:{accountHash}:{client}", $"identity:signin:address:{client}"];
    }

    /// <summary>An IPv4 address as is; an IPv6 address by its /64, the block one subscriber is usually given.</summary>
    internal static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}

/// <summary>How a refusal for too many attempts reads, the same on the sign-in page and the token endpoint.</summary>
public static class TooManyAttempts
{
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public static string Message(TimeSpan wait) =>
        $"Too many failed sign-in attempts from your network. Try again in {Seconds(wait)} seconds.";
}
