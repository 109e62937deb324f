using System.Globalization;
using Npgsql;
using Spectre.Console;

namespace Marketplace.Benchmarks;

/// <summary>
/// What a sale asks of PostgreSQL, read from the server itself: transactions per database (<c>pg_stat_database</c>)
/// and statements with their execution time (<c>pg_stat_statements</c>, which host mode preloads), between a mark
/// taken before the sale and the end of it. Divided by the confirmed orders, it is the measured side of the
/// "what one order costs" table in docs/benchmarks.md.
/// </summary>
public sealed class DatabaseWork
{
    /// <summary>The app's own databases: not the server's (postgres, the templates), nor the one pgbench uses afterwards.</summary>
    private const string AppDatabases = "datname NOT IN ('postgres', 'flash_pgbench') AND NOT datistemplate";

    private readonly string _server;
    private readonly Dictionary<string, long> _transactionsBefore;
    private readonly bool _statements;
    private readonly DateTimeOffset _markedAt = DateTimeOffset.UtcNow;

    private DatabaseWork(string server, Dictionary<string, long> transactionsBefore, bool statements)
    {
        _server = server;
        _transactionsBefore = transactionsBefore;
        _statements = statements;
    }

    private static NpgsqlConnection Connect(string server, string database) => new($"{server};Database={database}");

    /// <summary>Marks the start: statement figures reset, transaction counters read.</summary>
    public static async Task<DatabaseWork> MarkAsync(RunningApp app)
    {
        var server = await app.ConnectionStringAsync("postgres");
        await using var connection = Connect(server, "postgres");
        await connection.OpenAsync();
        var statements = true;
        try
        {
            await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
            await create.ExecuteNonQueryAsync();
        }
        catch (PostgresException e)
        {
            // A server without the library preloaded (containers mode) still gives its transaction counters.
            AnsiConsole.MarkupLine($"[yellow]pg_stat_statements is not available ({e.MessageText.EscapeMarkup()}); transactions only[/]");
            statements = false;
        }
        return new DatabaseWork(server, await TransactionsAsync(connection), statements);
    }

    /// <summary>Prints the work done since the mark, per confirmed order.</summary>
    public async Task PrintAsync(int confirmed)
    {
        if (confirmed == 0)
        {
            return;
        }
        await using var connection = Connect(_server, "postgres");
        await connection.OpenAsync();
        var transactions = await TransactionsAsync(connection);
        var perDatabase = new Dictionary<string, (long Calls, double Ms)>();
        var top = new List<(string Database, long Calls, double Ms, string Query)>();
        if (_statements)
        {
            await using var read = new NpgsqlCommand($"""
                SELECT d.datname, s.calls, s.total_exec_time, s.query
                FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE d.{AppDatabases}
                ORDER BY s.total_exec_time DESC
                """, connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var (database, calls, ms, query) = (reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetString(3));
                var sum = perDatabase.GetValueOrDefault(database);
                perDatabase[database] = (sum.Calls + calls, sum.Ms + ms);
                top.Add((database, calls, ms, query));
            }
        }

        var table = new Table().AddColumns("database", "transactions / order", "statements / order", "execution ms / order");
        foreach (var (database, count) in transactions.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var done = count - _transactionsBefore.GetValueOrDefault(database);
            var work = perDatabase.GetValueOrDefault(database);
            table.AddRow(database, PerOrder(done, confirmed), _statements ? PerOrder(work.Calls, confirmed) : "–", _statements ? (work.Ms / confirmed).ToString("F2", CultureInfo.InvariantCulture) : "–");
        }
        AnsiConsole.MarkupLine("PostgreSQL's work during the sale, per confirmed order (pg_stat_database, pg_stat_statements):");
        AnsiConsole.Write(table);
        if (top.Count > 0)
        {
            var statements = new Table().AddColumns("database", "calls / order", "ms / order", "statement");
            foreach (var (database, calls, ms, query) in top.Take(15))
            {
                var oneLine = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
                statements.AddRow(database, PerOrder(calls, confirmed), (ms / confirmed).ToString("F3", CultureInfo.InvariantCulture), (oneLine.Length > 110 ? oneLine[..110] + "…" : oneLine).EscapeMarkup());
            }
            AnsiConsole.Write(statements);
        }
    }

    /// <summary>
    /// Payment's calls to the provider since the mark, by kind and answer. More than a charge's two calls per order is
    /// work the sale did not ask for: e.g. payments left by an interrupted earlier run, which the provider simulator (it
    /// keeps its book in memory) no longer knows and which are retried for ever with capped backoff.
    /// </summary>
    public async Task PrintProviderCallsAsync(int confirmed)
    {
        await using var connection = Connect(_server, "paymentdb");
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("""
            SELECT kind, CASE WHEN http_status BETWEEN 200 AND 299 THEN 'answered' ELSE coalesce(http_status::text, 'no answer') END, count(*)
            FROM payment_operations WHERE at >= @since GROUP BY 1, 2 ORDER BY 3 DESC
            """, connection);
        read.Parameters.AddWithValue("since", _markedAt);
        await using var reader = await read.ExecuteReaderAsync();
        var calls = new List<string>();
        while (await reader.ReadAsync())
        {
            calls.Add($"{reader.GetString(0)} {reader.GetString(1)} × {reader.GetInt64(2)}");
        }
        AnsiConsole.MarkupLine($"Provider calls during the sale, for {confirmed} confirmed orders: {string.Join(", ", calls).EscapeMarkup()}");
    }

    /// <summary>
    /// The messages each service's outbox took during the sale, by type, per confirmed order: the broker's side of the
    /// "what one order costs" table (a message published to several queues counts once here).
    /// </summary>
    public async Task PrintMessagesAsync(int confirmed)
    {
        if (confirmed == 0)
        {
            return;
        }
        await using var server = Connect(_server, "postgres");
        await server.OpenAsync();
        var databases = new List<string>();
        await using (var list = new NpgsqlCommand($"SELECT datname FROM pg_database WHERE {AppDatabases} ORDER BY datname", server))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                databases.Add(reader.GetString(0));
            }
        }
        var table = new Table().AddColumns("database", "message", "published / order");
        foreach (var database in databases)
        {
            await using var connection = Connect(_server, database);
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("""
                SELECT message_type, count(*) FROM outbox_messages WHERE created_at >= @since GROUP BY 1 ORDER BY 2 DESC
                """, connection);
            read.Parameters.AddWithValue("since", _markedAt);
            try
            {
                await using var reader = await read.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var type = reader.GetString(0).Split(',')[0];
                    table.AddRow(database, type[(type.LastIndexOf('.') + 1)..].EscapeMarkup(), PerOrder(reader.GetInt64(1), confirmed));
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // A database without an outbox publishes nothing.
            }
        }
        AnsiConsole.MarkupLine("Messages published during the sale, per confirmed order (each service's outbox):");
        AnsiConsole.Write(table);
    }

    private static string PerOrder(long count, int confirmed) => ((double)count / confirmed).ToString("F2", CultureInfo.InvariantCulture);

    private static async Task<Dictionary<string, long>> TransactionsAsync(NpgsqlConnection connection)
    {
        var counts = new Dictionary<string, long>();
        await using var read = new NpgsqlCommand($"SELECT d.datname, s.xact_commit + s.xact_rollback FROM pg_stat_database s JOIN pg_database d ON d.oid = s.datid WHERE d.{AppDatabases}", connection);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }
}
