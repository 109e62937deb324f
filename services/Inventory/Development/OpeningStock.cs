using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Inventory.Development;

/// <summary>
/// In Development, the first start gives every SKU of the seeded catalogue a deterministic opening stock
/// in the main warehouse (about one in ten sold out, so "in stock" means something), with its ledger
/// row and StockChanged event. It runs once: only while Inventory knows no SKU at all.
/// </summary>
public sealed class OpeningStock(IServiceScopeFactory scopes, IOptions<InventoryOptions> options, TimeProvider clock, ILogger<OpeningStock> logger) : BackgroundService
{
    private const int Batch = 500;

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
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await SeedAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested && attempt < 30)
            {
                logger.LogInformation("Catalog not answering yet for opening stock ({Reason}); trying again", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        if (await db.Items.AnyAsync(ct))
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
        logger.LogInformation("Opening stock given to {Count} SKUs of the catalogue", count);
    }

    private static async Task<int> SaveAsync(InventoryDbContext db, StockBook book, List<StockItem> batch, CancellationToken ct)
    {
        foreach (var item in batch)
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
