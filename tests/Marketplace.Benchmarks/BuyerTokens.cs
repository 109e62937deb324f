using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Marketplace.Benchmarks;

/// <summary>
/// The buyers' access tokens, kept in the data directory between runs (<c>flash-tokens.tsv</c>: e-mail, token). A token is
/// reused only while it has half an hour left and names this run's gateway as its issuer (the benchmark fixes the
/// gateway's port for that); any other is dropped and the buyer signs in again.
/// </summary>
public static class BuyerTokens
{
    private const string FileName = "flash-tokens.tsv";

    public static ConcurrentDictionary<string, string> Load(string dataDir, Uri gateway)
    {
        var tokens = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var file = Path.Combine(dataDir, FileName);
        if (!File.Exists(file))
        {
            return tokens;
        }
        var issuer = gateway.ToString().TrimEnd('/');
        var usableUntil = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        foreach (var line in File.ReadLines(file))
        {
            var parts = line.Split('\t');
            if (parts.Length == 2 && Claims(parts[1]) is { } claims
                && claims.TryGetProperty("iss", out var iss) && iss.GetString()?.TrimEnd('/') == issuer
                && claims.TryGetProperty("exp", out var exp) && exp.GetInt64() > usableUntil)
            {
                tokens[parts[0]] = parts[1];
            }
        }
        return tokens;
    }

    public static void Save(string dataDir, IReadOnlyDictionary<string, string> tokens) =>
        File.WriteAllLines(Path.Combine(dataDir, FileName), tokens.Select(t => $"{t.Key}\t{t.Value}"));

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
