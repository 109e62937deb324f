using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Marketplace.Payment.Provider;

/// <summary>
/// Checks <c>Provider-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>: the MAC
/// with our webhook secret (compared in constant time) and the timestamp within the tolerance, so a
/// captured webhook cannot be replayed later.
/// </summary>
public sealed class WebhookSignature(IOptions<PaymentProviderOptions> options, TimeProvider clock)
{
    public const string HeaderName = "Provider-Signature";

    public bool IsAuthentic(string? header, string body)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return false;
        }
        long? timestamp = null;
        var candidates = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = part.IndexOf('=') is var i and > 0 ? (part[..i], part[(i + 1)..]) : (part, "");
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == "v1" && value.Length == 64 && TryFromHex(value) is { } mac)
            {
                candidates.Add(mac);
            }
        }
        if (timestamp is not { } signedAt || candidates.Count == 0)
        {
            return false;
        }
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(signedAt, 0, 253402300799));
        if (age.Duration() > options.Value.WebhookTolerance)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(options.Value.WebhookSecret),
            Encoding.UTF8.GetBytes(signedAt.ToString(CultureInfo.InvariantCulture) + "." + body));
        var authentic = false;
        foreach (var candidate in candidates)
        {
            authentic |= CryptographicOperations.FixedTimeEquals(candidate, expected);
        }
        return authentic;
    }

    private static byte[]? TryFromHex(string hex)
    {
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
