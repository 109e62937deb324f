using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.Stock;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.External;

/// <summary>
/// Compares our stock in a system's warehouse with the system's own book and squares them by the stated
/// rule: the system is the record of what is physically in its warehouse, so our level becomes its count
/// plus our changes it has not received yet. A SKU with one of our changes in flight is reported and left
/// for the next run; a level cannot fall below the units held for orders (reported as short). Each run is
/// stored with what it found.
/// </summary>
public sealed class Reconciler(InventoryDbContext db, StockBook book, ExternalDirectory directory, IHttpClientFactory httpClients,
    TimeProvider clock, ILogger<Reconciler> logger)
{
    public const int MaxFindings = 500;

    public async Task<ReconciliationRun> RunAsync(string system, CancellationToken ct)
    {
        var options = directory.Find(system) ?? throw new ArgumentException($"No external system '{system}'.", nameof(system));
        var run = new ReconciliationRun { System = system, StartedAt = clock.GetUtcNow() };
        db.ReconciliationRuns.Add(run);
        await db.SaveChangesAsync(ct);

        IReadOnlyList<ExternalLevel> theirs;
        try
        {
            theirs = await ExternalSystemClient.For(httpClients, system, clock).GetStockAsync(ct);
        }
        catch (ExternalSystemUnavailableException e)
        {
            run.Error = ExternalStockInbox.Truncate($"The system's stock book could not be read: {e.Message}");
            run.FinishedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            logger.LogWarning("Reconciliation {Id} with {System} could not run: {Error}", run.Id, system, run.Error);
            return run;
        }

        var theirsBySku = theirs.GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(l => l.Version)!, StringComparer.Ordinal);
        var ours = await db.Levels.AsNoTracking().Where(l => l.Warehouse == options.Warehouse).Select(l => l.Sku).ToListAsync(ct);
        var findings = new List<ReconciliationFinding>();
        var strategy = db.Database.CreateExecutionStrategy();
        foreach (var sku in theirsBySku.Keys.Union(ours, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var settled = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                // A SKU missing from its book is one it has none of (a newer level it sends later still wins).
                await book.RecordExternalLevelAsync(system, theirsBySku.GetValueOrDefault(sku) ?? new ExternalLevel(sku, 0, 0, run.StartedAt), ct);
                var result = await book.SettleExternalAsync(system, options.Warehouse, sku, MovementKind.Reconcile, $"reconciliation {run.Id}", "reconciliation", ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return result;
            });
            run.Checked++;
            var finding = settled.Result switch
            {
                SettleResult.Moved => new ReconciliationFinding(sku, settled.Before, settled.Theirs, settled.Pending, settled.After,
                    $"Ours was {settled.Before}, the system counts {settled.Theirs} with {settled.Pending} of our units on the way: moved to {settled.After}."),
                SettleResult.Short => new ReconciliationFinding(sku, settled.Before, settled.Theirs, settled.Pending, settled.After,
                    $"The system counts {settled.Theirs}, fewer than the {settled.After} units held for orders: moved only as far as those."),
                SettleResult.InFlight => new ReconciliationFinding(sku, settled.Before, settled.Theirs, settled.Pending, null,
                    "A change of ours is on its way to the system: left for the next run."),
                SettleResult.UnknownSku when theirsBySku.GetValueOrDefault(sku) is { OnHand: > 0 } => new ReconciliationFinding(sku, 0, theirsBySku[sku].OnHand, 0, null,
                    "The system stocks a SKU our catalogue does not know."),
                _ => null,
            };
            if (finding is null)
            {
                continue;
            }
            if (settled.Result is SettleResult.Moved or SettleResult.Short)
            {
                run.Drifted++;
                run.Fixed++;
            }
            else if (settled.Result == SettleResult.InFlight)
            {
                run.Skipped++;
            }
            else
            {
                run.Drifted++;
            }
            if (findings.Count < MaxFindings)
            {
                findings.Add(finding);
            }
        }
        db.ChangeTracker.Clear();
        db.Attach(run);
        run.Findings = findings;
        run.FinishedAt = clock.GetUtcNow();
        db.Entry(run).State = EntityState.Modified;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Reconciliation {Id} with {System}: {Checked} SKUs checked, {Drifted} drifted, {Fixed} fixed, {Skipped} left for later",
            run.Id, system, run.Checked, run.Drifted, run.Fixed, run.Skipped);
        return run;
    }
}

/// <summary>Reads each system's CSV feed and reconciles both books on their configured intervals (zero: never).</summary>
public sealed class ExternalSyncSchedule(IServiceScopeFactory scopes, ExternalDirectory directory, TimeProvider clock,
    ILogger<ExternalSyncSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var start = clock.GetUtcNow();
        var due = directory.Systems.SelectMany(s => new[] { (s, Job: "csv"), (s, Job: "reconcile") })
            .ToDictionary(k => k, k => start + IntervalOf(k.s, k.Job));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (key, at) in due.ToList())
            {
                var interval = IntervalOf(key.s, key.Job);
                if (interval <= TimeSpan.Zero || clock.GetUtcNow() < at)
                {
                    continue;
                }
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    if (key.Job == "csv")
                    {
                        await scope.ServiceProvider.GetRequiredService<ExternalStockInbox>().ReadFeedAsync(key.s, stoppingToken);
                    }
                    else
                    {
                        await scope.ServiceProvider.GetRequiredService<Reconciler>().RunAsync(key.s, stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "The {Job} job for {System} failed; it runs again at its next time", key.Job, key.s);
                }
                due[key] = clock.GetUtcNow() + interval;
            }
        }
    }

    private TimeSpan IntervalOf(string system, string job) =>
        job == "csv" ? directory.Find(system)!.CsvPollInterval : directory.Find(system)!.ReconcileInterval;
}
