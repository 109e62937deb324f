using System.Net.Http.Json;
using Marketplace.Search.Index;
using Marketplace.Shared.Contracts;

namespace Marketplace.Search.Rebuild;

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<RebuildState>))]
public enum RebuildState { Idle, Running, Completed, Failed }

public sealed record RebuildStatus(RebuildState State, string? Reason, long Indexed, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error);

/// <summary>
/// Refills the index from the catalogue: pages through Catalog's internal product scan (with this
/// service's client-credentials token) and upserts every published product. Safe beside live events:
/// the index applies a version only if it is newer, so whichever arrives second changes nothing.
/// One rebuild at a time per instance; a second request while one runs gets its status.
/// </summary>
public sealed class IndexRebuilder(IHttpClientFactory clients, ISearchIndex index, TimeProvider clock, ILogger<IndexRebuilder> logger)
{
    public const string CatalogClient = "catalog-internal";
    public const string InventoryClient = "inventory-internal";
    private const int PageSize = 500;

    private readonly Lock _gate = new();
    private RebuildStatus _status = new(RebuildState.Idle, null, 0, null, null, null);

    public RebuildStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Starts a rebuild in the background unless one is running; returns the status either way.</summary>
    public RebuildStatus Start(string reason, CancellationToken stopping)
    {
        lock (_gate)
        {
            if (_status.State == RebuildState.Running)
            {
                return _status;
            }
            _status = new RebuildStatus(RebuildState.Running, reason, 0, clock.GetUtcNow(), null, null);
        }
        _ = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        return Status;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            using var catalog = clients.CreateClient(CatalogClient);
            Guid? after = null;
            long indexed = 0;
            while (true)
            {
                var url = $"/internal/catalog/products?limit={PageSize}" + (after is { } last ? $"&after={last}" : "");
                var page = await catalog.GetFromJsonAsync<ScanPage>(url, ct)
                    ?? throw new InvalidOperationException("Catalog answered an empty page.");
                await Task.WhenAll(page.Items.Select(p => index.UpsertAsync(SearchDocument.From(p), ct)));
                indexed += page.Items.Count;
                Update(s => s with { Indexed = indexed });
                if (page.Next is null)
                {
                    break;
                }
                after = page.Next;
            }
            // Stock too: a fresh index would otherwise show everything out of stock until each SKU next changes.
            using var inventory = clients.CreateClient(InventoryClient);
            string? afterSku = null;
            long stocked = 0;
            do
            {
                var url = $"/internal/inventory/stock?limit={PageSize}" + (afterSku is { } lastSku ? $"&after={Uri.EscapeDataString(lastSku)}" : "");
                var page = await inventory.GetFromJsonAsync<StockPage>(url, ct)
                    ?? throw new InvalidOperationException("Inventory answered an empty page.");
                await Task.WhenAll(page.Items.Select(i => index.ApplyStockAsync(i, ct)));
                stocked += page.Items.Count;
                afterSku = page.Next;
            }
            while (afterSku is not null);
            Update(s => s with { State = RebuildState.Completed, FinishedAt = clock.GetUtcNow() });
            logger.LogInformation("Search index rebuilt: {Count} products from the catalogue, stock of {Skus} SKUs from Inventory", indexed, stocked);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Update(s => s with { State = RebuildState.Failed, FinishedAt = clock.GetUtcNow(), Error = ex.Message });
            logger.LogError(ex, "Rebuilding the search index failed");
        }
    }

    private void Update(Func<RebuildStatus, RebuildStatus> change)
    {
        lock (_gate)
        {
            _status = change(_status);
        }
    }

    private sealed record ScanPage(IReadOnlyList<ProductSnapshot> Items, Guid? Next);

    private sealed record StockPage(IReadOnlyList<StockDocument> Items, string? Next);
}

/// <summary>At start, an empty index (a new machine, a lost disk) is filled from the catalogue.</summary>
public sealed class RebuildWhenEmpty(ISearchIndex index, IndexRebuilder rebuilder, ILogger<RebuildWhenEmpty> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await index.CountAsync(stoppingToken) > 0)
        {
            return;
        }
        // Catalog may still be starting: try until one rebuild completes.
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            logger.LogInformation("The search index is empty: rebuilding from the catalogue (attempt {Attempt})", attempt);
            rebuilder.Start("the index was empty at start", stoppingToken);
            while (rebuilder.Status.State == RebuildState.Running)
            {
                await Task.Delay(500, stoppingToken);
            }
            if (rebuilder.Status.State == RebuildState.Completed)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 5)), stoppingToken);
        }
    }
}
