using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Marketplace.Benchmarks;

/// <summary>A buyer's tokens: the access token the sale uses, and the refresh token that renews it without the password.</summary>
public sealed record BuyerToken(string Access, string? Refresh);

/// <summary>
/// The buyers' tokens, kept in the data directory between runs (<c>flash-tokens.tsv</c>: e-mail, access token, refresh
/// token). An access token is used as it is while it has half an hour left and names this run's gateway as its issuer
/// (the benchmark fixes the gateway's port for that); otherwise its refresh token renews it, which costs Identity a
/// token lookup instead of a password hash (about 80 ms of CPU each here); only a buyer with neither signs in again.
/// </summary>
public static class BuyerTokens
{
    private const string FileName = "flash-tokens.tsv";

    public static ConcurrentDictionary<string, BuyerToken> Load(string dataDir)
    {
        var tokens = new ConcurrentDictionary<string, BuyerToken>(StringComparer.OrdinalIgnoreCase);
        var file = Path.Combine(dataDir, FileName);
        if (!File.Exists(file))
        {
            return tokens;
        }
        foreach (var line in File.ReadLines(file))
        {
            var parts = line.Split('\t');
            if (parts.Length >= 2)
            {
                tokens[parts[0]] = new BuyerToken(parts[1], parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null);
            }
        }
        return tokens;
    }

    public static void Save(string dataDir, IReadOnlyDictionary<string, BuyerToken> tokens) =>
        File.WriteAllLines(Path.Combine(dataDir, FileName), tokens.Select(t => $"{t.Key}\t{t.Value.Access}\t{t.Value.Refresh}"));

    /// <summary>Whether the access token names <paramref name="gateway"/> as its issuer and has half an hour left.</summary>
    public static bool IsUsable(string accessToken, Uri gateway) =>
        Claims(accessToken) is { } claims
        && claims.TryGetProperty("iss", out var iss) && iss.GetString()?.TrimEnd('/') == gateway.ToString().TrimEnd('/')
        && claims.TryGetProperty("exp", out var exp) && exp.GetInt64() > DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();

    /// <summary>The payload of a signed JWT (not verified: the services do that); null when it is not one.</summary>
    private static JsonElement? Claims(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - payload.Length % 4) % 4), '=');
            return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
