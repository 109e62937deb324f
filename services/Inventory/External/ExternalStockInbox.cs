using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.Stock;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.External;

/// <summary>A part of an inbound message that could not be taken (a CSV row, say), and why.</summary>
public sealed record RejectedRow(int Line, string? Sku, string Reason);

/// <summary>
/// The one shape every inbound adapter (signed JSON webhook, CSV feed, reconciliation) turns its input into:
/// levels of one system, with the event's id when the system gave one.
/// </summary>
public sealed record InboundBatch(string System, string Source, string? EventId, DateTimeOffset OccurredAt, IReadOnlyList<ExternalLevel> Levels, IReadOnlyList<RejectedRow> Rejected);

/// <param name="Outcome"><c>applied</c>, or <c>duplicate</c> when the event was taken before.</param>
/// <param name="Applied">Levels newer than what we knew, settled into our stock (moved or already equal).</param>
/// <param name="Stale">Levels at or below a version we already had: a late or repeated message.</param>
/// <param name="Deferred">Newer levels kept but not settled yet: one of our changes to the SKU is in flight.</param>
/// <param name="Unknown">SKUs the catalogue does not know: kept, reported, settled once the SKU exists.</param>
/// <param name="Short">SKUs the system counts fewer of than we hold for orders.</param>
public sealed record ApplyReport(string Outcome, int Applied, int Stale, int Deferred, int Unknown, IReadOnlyList<string> Short, IReadOnlyList<RejectedRow> Rejected);

/// <summary>
/// The inbound port: applies an external system's levels to our stock. Idempotent by the event's id and,
/// SKU by SKU, by the system's version (a late older level never overwrites a newer one); each change goes
/// through the ledger and raises StockChanged like any other.
/// </summary>
public sealed class ExternalStockInbox(InventoryDbContext db, StockBook book, CatalogSkus catalog, ExternalDirectory directory,
    IHttpClientFactory httpClients, TimeProvider clock, ILogger<ExternalStockInbox> logger)
{
    /// <summary>Reads the system's CSV feed and applies it through the CSV adapter: the report, or why there is none.</summary>
    public async Task<(ApplyReport? Report, string? Error)> ReadFeedAsync(string system, CancellationToken ct)
    {
        string text;
        try
        {
            text = await ExternalSystemClient.For(httpClients, system, clock).GetCsvFeedAsync(ct);
        }
        catch (ExternalSystemUnavailableException e)
        {
            await RecordRejectionAsync(system, $"CSV feed: {e.Message}", ct);
            return (null, e.Message);
        }
        var read = CsvFeedAdapter.Read(system, text, clock.GetUtcNow());
        if (read.Batch is null)
        {
            await RecordRejectionAsync(system, $"CSV feed: {read.Error}", ct);
            return (null, read.Error);
        }
        var report = await ApplyAsync(read.Batch, ct);
        if (report.Rejected.Count > 0)
        {
            await RecordRejectionAsync(system, $"CSV feed: {report.Rejected.Count} rows refused, the first at line {report.Rejected[0].Line}: {report.Rejected[0].Reason}", ct);
        }
        return (report, null);
    }

    public async Task<ApplyReport> ApplyAsync(InboundBatch batch, CancellationToken ct)
    {
        var system = directory.Find(batch.System) ?? throw new ArgumentException($"No external system '{batch.System}'.", nameof(batch));
        var levels = batch.Levels.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => g.MaxBy(l => l.Version)!)
            // One lock order for every transaction, as reservations take them.
            .OrderBy(l => l.Sku, StringComparer.Ordinal).ToList();
        await AddUnknownItemsAsync(levels.Select(l => l.Sku).ToList(), ct);

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            if (batch.EventId is { } eventId)
            {
                var first = await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO external_events (system, event_id, source, occurred_at, received_at, outcome)
                    VALUES ({batch.System}, {eventId}, {batch.Source}, {batch.OccurredAt}, {now}, 'received')
                    ON CONFLICT DO NOTHING
                    """, ct) == 1;
                if (!first)
                {
                    await tx.CommitAsync(ct);
                    return new ApplyReport("duplicate", 0, 0, 0, 0, [], batch.Rejected);
                }
            }
            var (applied, stale, deferred, unknown, shortSkus) = (0, 0, 0, 0, new List<string>());
            foreach (var level in levels)
            {
                if (!await book.RecordExternalLevelAsync(batch.System, level, ct))
                {
                    stale++;
                    continue;
                }
                var settled = await book.SettleExternalAsync(batch.System, system.Warehouse, level.Sku, MovementKind.Sync,
                    $"{batch.Source} {batch.EventId ?? $"v{level.Version}"}", batch.System, ct);
                switch (settled.Result)
                {
                    case SettleResult.InFlight: deferred++; break;
                    case SettleResult.UnknownSku: unknown++; break;
                    case SettleResult.Short: applied++; shortSkus.Add(level.Sku); break;
                    default: applied++; break;
                }
            }
            await db.SaveChangesAsync(ct);
            var outcome = $"applied {applied}, stale {stale}, deferred {deferred}, unknown {unknown}, short {shortSkus.Count}";
            if (batch.EventId is { } id)
            {
                await db.Database.ExecuteSqlAsync($"UPDATE external_events SET outcome = {outcome} WHERE system = {batch.System} AND event_id = {id}", ct);
            }
            var lag = Math.Max(0, (now - batch.OccurredAt).TotalMilliseconds);
            await db.Database.ExecuteSqlAsync($"""
                UPDATE external_systems SET last_inbound_at = {now}, last_inbound_lag_ms = {lag} WHERE code = {batch.System}
                """, ct);
            await tx.CommitAsync(ct);
            if (shortSkus.Count > 0)
            {
                logger.LogWarning("{System} counts fewer units than are held for orders of {Skus}", batch.System, string.Join(", ", shortSkus));
            }
            return new ApplyReport("applied", applied, stale, deferred, unknown, shortSkus, batch.Rejected);
        });
    }

    /// <summary>Counts a CSV feed refused (unreachable, unreadable, bad rows), for the sync status. Refused webhooks are not recorded here: see InventoryTelemetry.</summary>
    public async Task RecordRejectionAsync(string system, string error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE external_systems SET rejected_inbound = rejected_inbound + 1, last_error = {Truncate(error)}, last_error_at = {now} WHERE code = {system}
            """, ct);
    }

    /// <summary>SKUs the system stocks that Inventory has not heard of: the catalogue names their merchants.</summary>
    private async Task AddUnknownItemsAsync(List<string> skus, CancellationToken ct)
    {
        var known = await db.Items.AsNoTracking().Where(i => skus.Contains(i.Sku)).Select(i => i.Sku).ToListAsync(ct);
        foreach (var sku in skus.Except(known, StringComparer.Ordinal))
        {
            try
            {
                if (await catalog.FindAsync(sku, ct) is { } info)
                {
                    await book.EnsureItemAsync(info, ct);
                }
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning(e, "Could not ask the catalogue about {Sku}; it stays unknown until a later message", sku);
            }
        }
    }

    internal static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}
