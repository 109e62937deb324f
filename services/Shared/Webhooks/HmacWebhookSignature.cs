using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Marketplace.Shared.Webhooks;

/// <summary>
/// The signature scheme every third party of ours signs its webhooks with (Stripe's):
/// <c>t=&lt;unix seconds&gt;,v1=&lt;lowercase hex HMAC-SHA256(secret, "t.body")&gt;</c>. Several <c>v1</c> may
/// stand in one header (a secret being rotated); one matching is enough. The timestamp must lie within a
/// window of our clock, so a captured webhook cannot be replayed later.
/// </summary>
public static class HmacWebhookSignature
{
    /// <summary>Null when the header carries the secret's MAC of this body, made within the window; else why not.</summary>
    public static string? Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan window, string headerName)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return $"The {headerName} header is missing.";
        }
        long? timestamp = null;
        var candidates = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = part.IndexOf('=') is var eq and > 0 ? (part[..eq], part[(eq + 1)..]) : (part, "");
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == "v1" && value.Length == 2 * HMACSHA256.HashSizeInBytes && TryFromHex(value) is { } mac)
            {
                candidates.Add(mac);
            }
        }
        if (timestamp is not { } signedAt || candidates.Count == 0)
        {
            return $"The {headerName} header needs t=<unix seconds> and v1=<signature>.";
        }
        var signedTime = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(signedAt, 0, 253402300799));
        if ((now - signedTime).Duration() > window)
        {
            return $"The signature was made at {signedTime:O}, outside the {window.TotalMinutes:0.#}-minute replay window.";
        }
        var expected = Mac(secret, signedAt, body);
        var authentic = false;
        foreach (var candidate in candidates)
        {
            authentic |= CryptographicOperations.FixedTimeEquals(candidate, expected);
        }
        return authentic ? null : "The signature does not match the body.";
    }

    /// <summary>The header a sender writes (for tests and tools that play a third party).</summary>
    public static string Sign(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var t = at.ToUnixTimeSeconds();
        return $"t={t.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Mac(secret, t, body))}";
    }

    private static byte[] Mac(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
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
