using Marketplace.Shared.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Marketplace.Shared.Data;

public static class ServiceDatabase
{
    /// <summary>
    /// The service's own PostgreSQL database through EF Core (pooled contexts), with retries, health check and tracing
    /// (Aspire's Npgsql EF integration) and the interceptor that wakes the outbox relay on commit.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TDbContext>(this IHostApplicationBuilder builder, string connectionName)
        where TDbContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (connectionString is null && !EF.IsDesignTime)
        {
            throw new InvalidOperationException($"Connection string '{connectionName}' is missing: the AppHost provides it with WithReference({connectionName}).");
        }

        // Pooled contexts: the options are built once per process and a context is reset rather than rebuilt for each
        // request or message (building the options, and resolving a new context's services, showed in every profile of
        // the flash sale). None of our contexts keeps state of its own for a reset to miss.
        var pooled = Pooled(connectionString ?? "Host=design-time", builder.Configuration);
        builder.Services.AddDbContextPool<TDbContext>((services, options) => options
            .UseNpgsql(pooled, npgsql => npgsql.EnableRetryOnFailure())
            .AddInterceptors(NoAutoSavepoints.Instance)
            .AddOutboxSignal(services));
        builder.EnrichNpgsqlDbContext<TDbContext>(settings => settings.DisableRetry = true);
        return builder;
    }

    /// <summary>
    /// Every service's pool shares one server's connections (PostgreSQL's max_connections): each takes at most
    /// <c>Database:MaxPoolSize</c> (default 40), so seven services under load cannot together lock out the
    /// rest, where Npgsql's own default of 100 each would.
    /// A connection taken from the pool is not reset (<c>No Reset On Close</c>): the reset is a <c>DISCARD ALL</c>
    /// round trip per use (17 per order in a flash sale, measured with pg_stat_statements), and no service keeps
    /// session state (no session settings, temporary tables or session-level advisory locks) for it to discard.
    /// A statement a connection has run five times is prepared on it (<c>Max Auto Prepare</c>, <c>Database:MaxAutoPrepare</c>,
    /// default 64 per connection): the server then plans it once instead of on every execution. A service's statements
    /// are the same few dozen over and over (the flash sale's ~50 per order), so nearly all run prepared.
    /// </summary>
    private static string Pooled(string connectionString, IConfiguration configuration)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = configuration.GetValue("Database:MaxAutoPrepare", 64);
        }
        if (!connectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = configuration.GetValue("Database:MaxPoolSize", 40);
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// Applies pending migrations before the service takes traffic. EF Core serialises concurrent
    /// migrators with a lock, but on a brand-new database two replicas can still race creating the
    /// history and lock tables themselves (PostgreSQL answers one of them with a duplicate pg_type or
    /// table); that one tries again, and then finds the work done.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TDbContext>(this WebApplication app) where TDbContext : DbContext
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceDatabase));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = app.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
                var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
                if (pending.Count > 0)
                {
                    logger.LogInformation("Applying migrations {Migrations} to {Database}", pending, db.Database.GetDbConnection().Database);
                    await db.Database.MigrateAsync();
                }
                return;
            }
            catch (Npgsql.PostgresException e) when (attempt < 5 && e.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable)
            {
                logger.LogInformation("Another instance is migrating the same database ({Reason}); trying again", e.MessageText);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}

/// <summary>
/// No savepoint around SaveChanges inside a transaction. EF Core takes one so that a caller could carry on in the
/// same transaction after a failed save; no code here does (a failed save ends its transaction, and the execution
/// strategy repeats the whole unit of work), so the savepoint was two round trips per save for nothing.
/// </summary>
internal sealed class NoAutoSavepoints : Microsoft.EntityFrameworkCore.Diagnostics.DbTransactionInterceptor
{
    public static readonly NoAutoSavepoints Instance = new();

    public override System.Data.Common.DbTransaction TransactionStarted(System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData, System.Data.Common.DbTransaction result)
    {
        Off(eventData.Context);
        return result;
    }

    public override ValueTask<System.Data.Common.DbTransaction> TransactionStartedAsync(System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData, System.Data.Common.DbTransaction result, CancellationToken cancellationToken = default)
    {
        Off(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Off(DbContext? context)
    {
        if (context is not null)
        {
            context.Database.AutoSavepointsEnabled = false;
        }
    }
}
