using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Inventory.Development;

/// <summary>
/// In Development, the first start gives every SKU of the seeded catalogue a deterministic opening stock
/// in the main warehouse (about one in ten sold out, so "in stock" means something), with its ledger
/// row and StockChanged event. It runs until it has completed once (a row in completed_seeds), skipping
/// SKUs that already have stock, so an interrupted run resumes. Inventory reports itself unhealthy
/// until it is done, so nothing that waits for a healthy Inventory races it.
/// </summary>
public sealed class OpeningStock(IServiceScopeFactory scopes, IOptions<InventoryOptions> options, TimeProvider clock, ILogger<OpeningStock> logger)
    : BackgroundService, Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public const string SeedName = "opening-stock";
    private const int Batch = 500;
    private volatile bool _done;

    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("Giving the catalogue its opening stock"));

    /// <summary>0 for about a tenth of SKUs, else 5 to 64 units: the same for a SKU on every machine.</summary>
    public static int UnitsFor(string sku)
    {
        var hash = 2166136261u;
        foreach (var c in sku)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash % 10 == 0 ? 0 : 5 + (int)(hash / 10 % 60);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Catalog may still be seeding its own catalogue (minutes for a large one): wait for it, never give up.
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await SeedAsync(stoppingToken);
                _done = true;
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogInformation("Opening stock waits for Catalog (attempt {Attempt}: {Reason})", attempt, e.GetBaseException().Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, attempt * 2)), stoppingToken);
            }
        }
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        if (await db.CompletedSeeds.AnyAsync(s => s.Name == SeedName, ct))
        {
            return;
        }
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogSkus>();
        var book = scope.ServiceProvider.GetRequiredService<StockBook>();
        var count = 0;
        var batch = new List<StockItem>();
        await foreach (var sku in catalog.ScanAsync(ct))
        {
            var now = clock.GetUtcNow();
            batch.Add(new StockItem { Sku = sku.Sku, MerchantId = sku.MerchantId, ProductId = sku.ProductId, Version = 1, LowStockThreshold = options.Value.DefaultLowStockThreshold, CreatedAt = now, UpdatedAt = now });
            if (batch.Count == Batch)
            {
                count += await SaveAsync(db, book, batch, ct);
            }
        }
        count += await SaveAsync(db, book, batch, ct);
        db.CompletedSeeds.Add(new CompletedSeed { Name = SeedName, CompletedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Opening stock given to {Count} SKUs of the catalogue", count);
    }

    private static async Task<int> SaveAsync(InventoryDbContext db, StockBook book, List<StockItem> batch, CancellationToken ct)
    {
        var skus = batch.Select(i => i.Sku).ToList();
        var known = (await db.Items.AsNoTracking().Where(i => skus.Contains(i.Sku)).Select(i => i.Sku).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        foreach (var item in batch.Where(i => !known.Contains(i.Sku)))
        {
            book.AddItem(item, UnitsFor(item.Sku), "opening stock");
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var saved = batch.Count;
        batch.Clear();
        return saved;
    }
}
