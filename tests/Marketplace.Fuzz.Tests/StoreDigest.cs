using Npgsql;
using StackExchange.Redis;

namespace Marketplace.Fuzz.Tests;

/// <summary>
/// A digest of everything a request could change: every business table of every service's database (products,
/// stock levels and ledger, carts, orders, payments, profiles, notifications, accounts) and every cart in Redis.
/// Left out are tables that move without any request: the outbox and inbox of the messaging, OpenIddict's tokens
/// and authorizations (the fuzzer's own sign-ins), Data Protection keys and migration history.
/// </summary>
public static class StoreDigest
{
    private static readonly string[] Volatile = ["outbox", "inbox", "openiddict", "dataprotection", "__efmigrationshistory", "lease"];

    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(FuzzApp app)
    {
        var digest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var database in FuzzApp.Databases)
        {
            await using var connection = new NpgsqlConnection(await app.ConnectionStringAsync(database));
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            foreach (var table in tables.Where(t => !Volatile.Any(v => t.Contains(v, StringComparison.OrdinalIgnoreCase))))
            {
                // A sign-in touches an account's stamps and counters; what matters is which accounts exist.
                var sql = table == "AspNetUsers"
                    ? "SELECT count(*)::text || md5(coalesce(string_agg(\"Email\", '|' ORDER BY \"Email\"), '')) FROM \"AspNetUsers\""
                    : $"SELECT count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t";
                await using var command = new NpgsqlCommand(sql, connection);
                digest[$"{database}.{table}"] = (string)(await command.ExecuteScalarAsync())!;
            }
        }
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.ConnectionStringAsync("redis"));
        var db = redis.GetDatabase();
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: "cart:*"))
            {
                var type = await db.KeyTypeAsync(key);
                digest[$"redis.{key}"] = type switch
                {
                    RedisType.Hash => string.Join('|', (await db.HashGetAllAsync(key)).OrderBy(e => (string?)e.Name, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}")),
                    RedisType.String => (string?)await db.StringGetAsync(key) ?? "",
                    _ => type.ToString(),
                };
            }
        }
        return digest;
    }

    /// <summary>Waits until the stores stop moving (start-up's seeding and events), then returns their digest.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> SettledAsync(FuzzApp app, TimeSpan atMost)
    {
        var deadline = DateTime.UtcNow + atMost;
        var previous = await TakeAsync(app);
        var stableFor = 0;
        while (stableFor < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var current = await TakeAsync(app);
            stableFor = Differences(previous, current).Any() ? 0 : stableFor + 1;
            previous = current;
        }
        return previous;
    }

    public static IEnumerable<string> Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b);
}
