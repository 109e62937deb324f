using Marketplace.Inventory.Data;
using Marketplace.Inventory.Domain;
using Marketplace.Inventory.External;
using Marketplace.Inventory.Stock;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketplace.Inventory.Tests;

/// <summary>
/// A SKU's owner follows the catalogue, and an answer the catalogue gave before a change must never undo it: a
/// consumer that asked while the product was deleted applies its answer after a read has given the reused SKU to the
/// new merchant (the race behind a ledger that handed the SKU to nobody and back).
/// </summary>
public sealed class OwnershipFollowingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly Guid _first = Guid.NewGuid();
    private readonly Guid _second = Guid.NewGuid();
    private readonly string _sku = $"HOURGLASS-{Guid.NewGuid():N}"[..24];
    private string _connectionString = "";
    private CatalogStub _catalog = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await postgres.NewDatabaseAsync();
        _catalog = await CatalogStub.StartAsync();
        _http = new HttpClient { BaseAddress = _catalog.BaseAddress };
        await using var db = postgres.NewContext(_connectionString);
        var now = DateTimeOffset.UtcNow;
        Book(db).AddItem(new StockItem { Sku = _sku, MerchantId = _first, ProductId = Guid.NewGuid(), LowStockThreshold = 5, CreatedAt = now, UpdatedAt = now }, 10, "test");
        await db.SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task An_answer_from_before_the_sku_was_reused_gives_it_to_the_new_owner_not_to_nobody()
    {
        _catalog.Give(_sku, _second);
        await using var db = postgres.NewContext(_connectionString);

        // Asked while no product had the SKU; applied after the second merchant took it.
        var item = await Book(db).FollowOwnerAsync(_sku, owner: null, createMissing: false, new CatalogSkus(_http), Ct);

        Assert.Equal(_second, item!.MerchantId);
        Assert.Equal(
            [(_first, MovementKind.Opening, 10), (_first, MovementKind.Transfer, -10), (_second, MovementKind.Transfer, 10)],
            await MovementsAsync());

        // An answer naming the old owner is as stale: nothing moves.
        var stale = new Marketplace.Shared.Contracts.SkuInfo(_sku, Guid.NewGuid(), _first, "Hourglass", 10m, "EUR", true, 1);
        var again = await Book(db).FollowOwnerAsync(_sku, stale, createMissing: false, new CatalogSkus(_http), Ct);
        Assert.Equal(_second, again!.MerchantId);
        Assert.Equal(3, (await MovementsAsync()).Count);
    }

    [Fact]
    public async Task Concurrent_followers_with_answers_of_different_ages_move_the_sku_once()
    {
        var current = _catalog.Give(_sku, _second);
        var first = new Marketplace.Shared.Contracts.SkuInfo(_sku, Guid.NewGuid(), _first, "Hourglass", 10m, "EUR", true, 1);
        Marketplace.Shared.Contracts.SkuInfo?[] answers = [null, first, current];

        await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            await using var db = postgres.NewContext(_connectionString);
            await Book(db).FollowOwnerAsync(_sku, answers[i % answers.Length], createMissing: false, new CatalogSkus(_http), Ct);
        }));

        await using var check = postgres.NewContext(_connectionString);
        var item = await check.Items.AsNoTracking().SingleAsync(i => i.Sku == _sku, Ct);
        Assert.Equal((_second, current!.ProductId, 1L), (item.MerchantId, item.ProductId, item.Version));
        Assert.Equal(
            [(_first, MovementKind.Opening, 10), (_first, MovementKind.Transfer, -10), (_second, MovementKind.Transfer, 10)],
            await MovementsAsync());
    }

    private async Task<List<(Guid, MovementKind, int)>> MovementsAsync()
    {
        await using var db = postgres.NewContext(_connectionString);
        return [.. (await db.Movements.AsNoTracking().Where(m => m.Sku == _sku).OrderBy(m => m.Id).ToListAsync(Ct))
            .Select(m => (m.MerchantId, m.Kind, m.OnHandDelta))];
    }

    private static StockBook Book(InventoryDbContext db) => new(
        db, TimeProvider.System, new ExternalDirectory(Options.Create(new ExternalOptions())),
        Options.Create(new InventoryOptions()), NullLogger<StockBook>.Instance);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _catalog.DisposeAsync();
    }
}
