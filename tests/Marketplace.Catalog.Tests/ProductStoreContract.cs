using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Catalog.Tests;

/// <summary>
/// What every product store must do, run against each adapter whose server is reachable: the
/// PostgreSQL jsonb adapter always, the MongoDB adapter when <c>MARKETPLACE_TEST_MONGO</c> names a server.
/// </summary>
public abstract class ProductStoreContract : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Guid MerchantA = Guid.Parse("5a0f3c1e-0000-4000-8000-00000000000a");
    private static readonly Guid MerchantB = Guid.Parse("5a0f3c1e-0000-4000-8000-00000000000b");

    protected IProductStore Store { get; set; } = null!;

    public abstract ValueTask InitializeAsync();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>How many events the adapter holds waiting to be published (its outbox, wherever it keeps it).</summary>
    protected abstract Task<int> StagedEventsAsync();

    protected static Product NewProduct(string title, Guid? merchant = null, string category = "Electronics/Phones", bool published = true, params string[] skus)
    {
        var now = DateTimeOffset.UtcNow;
        return new Product
        {
            Id = Guid.CreateVersion7(), MerchantId = merchant ?? MerchantA, Title = title, Description = $"About {title}", Brand = "Acme",
            Category = category, Price = 19.99m, Currency = "USD", ImageUrls = ["/images/products/phones.svg"],
            Variants = [.. (skus.Length == 0 ? [$"SKU-{Guid.NewGuid():N}"[..20].ToUpperInvariant()] : skus).Select(s => new ProductVariant
            {
                Sku = s, Options = new() { ["colour"] = "Blue" }, PriceOverride = 21.50m,
            })],
            Attributes = [new ProductAttribute { Name = "screen", Type = ProductAttribute.Number, Value = "6.1", Unit = "in" }],
            IsPublished = published, Version = 1, CreatedAt = now, UpdatedAt = now,
        };
    }

    private static IIntegrationEvent Event(Product p) => new ProductUpdated(p.ToSnapshot(), DateTimeOffset.UtcNow);

    private Task<int> OutboxCountAsync() => StagedEventsAsync();

    [Fact]
    public async Task A_created_product_reads_back_whole()
    {
        var product = NewProduct("Round Trip Phone");

        Assert.Equal(WriteOutcome.Done, (await Store.CreateAsync(product, [], Ct)).Outcome);
        var stored = await Store.GetAsync(product.Id, Ct);

        Assert.NotNull(stored);
        Assert.Equal(product.Title, stored.Title);
        Assert.Equal(19.99m, stored.Price);
        Assert.Equal(21.50m, Assert.Single(stored.Variants).PriceOverride);
        Assert.Equal("Blue", stored.Variants[0].Options["colour"]);
        var attribute = Assert.Single(stored.Attributes);
        Assert.Equal(("screen", "number", "6.1", "in"), (attribute.Name, attribute.Type, attribute.Value, attribute.Unit));
        Assert.Equal(product.MerchantId, stored.MerchantId);
        Assert.Equal(1, stored.Version);
    }

    [Fact]
    public async Task A_replace_at_the_read_version_wins_and_stages_its_events()
    {
        var product = NewProduct("Versioned Phone");
        await Store.CreateAsync(product, [], Ct);
        var before = await OutboxCountAsync();

        product.Title = "Versioned Phone 2";
        product.Version = 2;
        var result = await Store.ReplaceAsync(product, expectedVersion: 1, [Event(product)], Ct);

        Assert.Equal(WriteOutcome.Done, result.Outcome);
        Assert.Equal(("Versioned Phone 2", 2L), ((await Store.GetAsync(product.Id, Ct))!.Title, (await Store.GetAsync(product.Id, Ct))!.Version));
        Assert.Equal(before + 1, await OutboxCountAsync());
    }

    [Fact]
    public async Task A_stale_replace_changes_nothing_and_stages_nothing()
    {
        var product = NewProduct("Stale Phone");
        await Store.CreateAsync(product, [], Ct);
        product.Title = "First writer";
        product.Version = 2;
        await Store.ReplaceAsync(product, 1, [Event(product)], Ct);
        var before = await OutboxCountAsync();

        product.Title = "Second writer, read version 1";
        var result = await Store.ReplaceAsync(product, expectedVersion: 1, [Event(product)], Ct);

        Assert.Equal(WriteOutcome.VersionConflict, result.Outcome);
        Assert.Equal("First writer", (await Store.GetAsync(product.Id, Ct))!.Title);
        Assert.Equal(before, await OutboxCountAsync());
    }

    [Fact]
    public async Task Concurrent_replaces_from_the_same_version_let_exactly_one_win()
    {
        var product = NewProduct("Contended Phone");
        await Store.CreateAsync(product, [], Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var (store, owner) = NewStoreForConcurrency();
            await using var _ = owner;
            var copy = NewProduct($"Writer {i}");
            copy.Id = product.Id;
            copy.Variants = product.Variants;
            copy.Version = 2;
            return (await store.ReplaceAsync(copy, 1, [], Ct)).Outcome;
        }));

        Assert.Equal(1, outcomes.Count(o => o == WriteOutcome.Done));
        Assert.Equal(7, outcomes.Count(o => o == WriteOutcome.VersionConflict));
    }

    /// <summary>A second store with its own connections, as a second request would have.</summary>
    protected abstract (IProductStore Store, IAsyncDisposable Owner) NewStoreForConcurrency();

    [Fact]
    public async Task A_sku_belongs_to_one_product_only()
    {
        var sku = $"DUP-{Random.Shared.Next(100000, 999999)}";
        await Store.CreateAsync(NewProduct("First Owner", MerchantA, skus: sku), [], Ct);

        var second = NewProduct("Second Owner", MerchantB, skus: sku);
        var result = await Store.CreateAsync(second, [], Ct);

        Assert.Equal(WriteOutcome.DuplicateSku, result.Outcome);
        Assert.Equal(sku, result.Sku);
        Assert.Null(await Store.GetAsync(second.Id, Ct));
    }

    [Fact]
    public async Task Products_are_found_by_any_of_their_skus_once_each()
    {
        var tag = Random.Shared.Next(100000, 999999);
        var twoVariants = NewProduct("Two Variants", skus: [$"FIND-{tag}-A", $"FIND-{tag}-B"]);
        var draft = NewProduct("Unpublished Owner", published: false, skus: $"FIND-{tag}-C");
        await Store.CreateAsync(twoVariants, [], Ct);
        await Store.CreateAsync(draft, [], Ct);
        await Store.CreateAsync(NewProduct("Not Asked For", skus: $"FIND-{tag}-D"), [], Ct);

        var found = await Store.FindBySkusAsync([$"FIND-{tag}-A", $"FIND-{tag}-B", $"FIND-{tag}-C", "NO-SUCH-SKU"], Ct);

        Assert.Equal(new[] { twoVariants.Id, draft.Id }.Order(), found.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task A_replace_may_keep_its_own_skus_and_release_dropped_ones()
    {
        var keep = $"KEEP-{Random.Shared.Next(100000, 999999)}";
        var drop = $"DROP-{Random.Shared.Next(100000, 999999)}";
        var product = NewProduct("Sku Keeper", skus: [keep, drop]);
        await Store.CreateAsync(product, [], Ct);

        product.Variants.RemoveAll(v => v.Sku == drop);
        product.Version = 2;
        Assert.Equal(WriteOutcome.Done, (await Store.ReplaceAsync(product, 1, [], Ct)).Outcome);

        Assert.Equal(WriteOutcome.Done, (await Store.CreateAsync(NewProduct("Takes the dropped SKU", skus: drop), [], Ct)).Outcome);
        Assert.Equal(WriteOutcome.DuplicateSku, (await Store.CreateAsync(NewProduct("Wants the kept SKU", skus: keep), [], Ct)).Outcome);
    }

    [Fact]
    public async Task Delete_needs_the_current_version()
    {
        var product = NewProduct("Doomed Phone");
        await Store.CreateAsync(product, [], Ct);

        Assert.Equal(WriteOutcome.VersionConflict, (await Store.DeleteAsync(product.Id, 7, [], Ct)).Outcome);
        Assert.NotNull(await Store.GetAsync(product.Id, Ct));
        Assert.Equal(WriteOutcome.Done, (await Store.DeleteAsync(product.Id, 1, [], Ct)).Outcome);
        Assert.Null(await Store.GetAsync(product.Id, Ct));
        Assert.Equal(WriteOutcome.NotFound, (await Store.DeleteAsync(product.Id, 1, [], Ct)).Outcome);
        // Its SKU is free again.
        Assert.Equal(WriteOutcome.Done, (await Store.CreateAsync(NewProduct("Reborn", skus: product.Variants[0].Sku), [], Ct)).Outcome);
    }

    [Fact]
    public async Task Lists_filter_by_category_prefix_merchant_and_publication()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var category = $"Test{tag}";
        await Store.AddAsync([
            NewProduct("A", MerchantA, $"{category}/Phones"),
            NewProduct("B", MerchantA, $"{category}/Phones/Cases"),
            NewProduct("C", MerchantB, $"{category}/Laptops"),
            NewProduct("D", MerchantA, $"{category}Other"),
            NewProduct("E", MerchantA, $"{category}/Phones", published: false),
        ], [], Ct);

        var phones = await Store.ListAsync(new ProductQuery($"{category}/Phones"), Ct);
        var all = await Store.ListAsync(new ProductQuery(category, PageSize: 2), Ct);
        var merchantB = await Store.ListAsync(new ProductQuery(category, MerchantB), Ct);
        var drafts = await Store.ListAsync(new ProductQuery($"{category}/Phones", PublishedOnly: false), Ct);

        Assert.Equal(["A", "B"], phones.Items.Select(p => p.Title).Order());
        Assert.Equal(3, all.Total);
        Assert.Equal(2, all.Items.Count);
        Assert.Equal(["C"], merchantB.Items.Select(p => p.Title));
        Assert.Equal(3, drafts.Total);
    }

    [Fact]
    public async Task A_scan_pages_through_every_product_once_in_id_order()
    {
        await Store.AddAsync([.. Enumerable.Range(0, 7).Select(i => NewProduct($"Scanned {i}", published: i % 3 != 0))], [], Ct);
        var seen = new List<Guid>();
        Guid? after = null;
        while (true)
        {
            var page = await Store.ScanAsync(after, 3, publishedOnly: false, Ct);
            seen.AddRange(page.Select(p => p.Id));
            if (page.Count < 3)
            {
                break;
            }
            after = page[^1].Id;
        }

        Assert.Equal(7, seen.Count);
        Assert.Equal(await Store.CountAsync(Ct), seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        // Each page resumed after the last id of the one before: the store's order is stable and total.
        var published = await Store.ScanAsync(null, 100, publishedOnly: true, Ct);
        Assert.Equal(4, published.Count);
    }
}
