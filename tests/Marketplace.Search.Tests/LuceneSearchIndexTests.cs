using Marketplace.Search.Index;
using Marketplace.Testing;

namespace Marketplace.Search.Tests;

/// <summary>The Lucene.Net adapter on a real on-disk index: relevance, typo tolerance, suggest and version order.</summary>
public sealed class LuceneSearchIndexTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _path = RepositoryRoot.NewScratchDirectory("marketplace-lucene-tests");
    private readonly LuceneSearchIndex _index;

    public LuceneSearchIndexTests() => _index = new LuceneSearchIndex(_path);

    private static SearchDocument Doc(string title, string description = "", string brand = "Acme", string category = "Electronics/Phones",
        long version = 1, Guid? id = null, decimal price = 99.99m, int daysOld = 0, params string[] skus) =>
        new(id ?? Guid.NewGuid(), version, Guid.Empty, title, description, brand, category, price, "USD",
            UpdatedAt: new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddDays(-daysOld), Skus: skus);

    private async Task<List<string>> TitlesAsync(SearchRequest request) =>
        (await _index.SearchAsync(request, Ct)).Hits.Select(h => h.Title).ToList();

    private async Task SeedShelfAsync()
    {
        await _index.UpsertAsync(Doc("Acme Phone", brand: "Acme", category: "Electronics/Phones", price: 300m, daysOld: 3), Ct);
        await _index.UpsertAsync(Doc("Nimbus Phone", brand: "Nimbus", category: "Electronics/Phones", price: 150m, daysOld: 1), Ct);
        await _index.UpsertAsync(Doc("Acme Laptop", brand: "Acme", category: "Electronics/Laptops", price: 900m, daysOld: 2), Ct);
        await _index.UpsertAsync(Doc("Acme Kettle", brand: "Acme", category: "ElectronicsOutlet/Kitchen", price: 40m, daysOld: 5), Ct);
    }

    [Fact]
    public async Task A_category_filter_takes_its_subcategories_and_nothing_that_merely_starts_alike()
    {
        await SeedShelfAsync();

        Assert.Equal(["Acme Laptop", "Acme Phone", "Nimbus Phone"], (await TitlesAsync(new SearchRequest(null, Category: "Electronics"))).Order());
        Assert.Equal(["Acme Phone", "Nimbus Phone"], (await TitlesAsync(new SearchRequest(null, Category: "Electronics/Phones"))).Order());
    }

    [Fact]
    public async Task Facet_counts_equal_the_counts_of_the_results_filtered_by_them()
    {
        await SeedShelfAsync();
        await _index.UpsertAsync(Doc("Nimbus Laptop", brand: "Nimbus", category: "Electronics/Laptops", price: 1200m), Ct);

        var facets = (await _index.SearchAsync(new SearchRequest(null), Ct)).Facets;

        Assert.Equal(new FacetValue("Electronics", 4), facets.Categories[0]);
        Assert.Contains(new FacetValue("Electronics/Phones", 2), facets.Categories);
        Assert.Contains(new FacetValue("ElectronicsOutlet/Kitchen", 1), facets.Categories);
        Assert.Equal([new FacetValue("Acme", 3), new FacetValue("Nimbus", 2)], facets.Brands);
        foreach (var category in facets.Categories)
        {
            Assert.Equal(category.Count, (await _index.SearchAsync(new SearchRequest(null, Category: category.Value), Ct)).Total);
        }
        foreach (var brand in facets.Brands)
        {
            Assert.Equal(brand.Count, (await _index.SearchAsync(new SearchRequest(null, Brand: brand.Value), Ct)).Total);
        }
        Assert.Equal(5, facets.PriceRanges.Sum(r => r.Count));
        foreach (var range in facets.PriceRanges)
        {
            var filtered = await _index.SearchAsync(new SearchRequest(null, MinPrice: range.From, MaxPrice: range.To - 0.01m), Ct);
            Assert.Equal(range.Count, filtered.Total);
        }
    }

    [Fact]
    public async Task Facets_follow_the_query_and_filters()
    {
        await SeedShelfAsync();

        var facets = (await _index.SearchAsync(new SearchRequest("phone", MaxPrice: 200m), Ct)).Facets;

        Assert.Equal([new FacetValue("Nimbus", 1)], facets.Brands);
        Assert.Equal([new PriceRange(100m, 250m, 1)], facets.PriceRanges);
    }

    [Fact]
    public async Task Filters_combine()
    {
        await SeedShelfAsync();

        Assert.Equal(["Acme Phone"], await TitlesAsync(new SearchRequest("phone", Brand: "Acme", MinPrice: 100m, MaxPrice: 500m)));
        Assert.Equal(["Acme Kettle", "Nimbus Phone"], (await TitlesAsync(new SearchRequest(null, MaxPrice: 150m))).Order());
        Assert.Empty(await TitlesAsync(new SearchRequest("phone", Brand: "Nimbus", MinPrice: 200m)));
    }

    [Theory]
    [InlineData(SearchSort.PriceAscending, new[] { "Acme Kettle", "Nimbus Phone", "Acme Phone", "Acme Laptop" })]
    [InlineData(SearchSort.PriceDescending, new[] { "Acme Laptop", "Acme Phone", "Nimbus Phone", "Acme Kettle" })]
    [InlineData(SearchSort.Newest, new[] { "Nimbus Phone", "Acme Laptop", "Acme Phone", "Acme Kettle" })]
    public async Task Results_sort_by_price_or_age(SearchSort sort, string[] expected)
    {
        await SeedShelfAsync();

        Assert.Equal(expected, await TitlesAsync(new SearchRequest(null, Sort: sort)));
    }

    [Fact]
    public async Task Paging_walks_the_sorted_results_without_overlap()
    {
        await SeedShelfAsync();

        var first = await TitlesAsync(new SearchRequest(null, Page: 1, PageSize: 3, Sort: SearchSort.PriceAscending));
        var second = await TitlesAsync(new SearchRequest(null, Page: 2, PageSize: 3, Sort: SearchSort.PriceAscending));

        Assert.Equal(["Acme Kettle", "Nimbus Phone", "Acme Phone"], first);
        Assert.Equal(["Acme Laptop"], second);
    }

    private async Task<List<string>> TitlesAsync(string query) =>
        (await _index.SearchAsync(new SearchRequest(query), Ct)).Hits.Select(h => h.Title).ToList();

    [Fact]
    public async Task An_exact_title_match_ranks_above_a_description_match()
    {
        await _index.UpsertAsync(Doc("Camping Lantern", description: "Pairs well with our trail runner shoes."), Ct);
        await _index.UpsertAsync(Doc("Trail Runner", description: "A light shoe."), Ct);

        Assert.Equal(["Trail Runner", "Camping Lantern"], await TitlesAsync("trail runner"));
    }

    [Fact]
    public async Task A_transposed_typo_still_finds_the_product()
    {
        await _index.UpsertAsync(Doc("Apple iPhone 15"), Ct);
        await _index.UpsertAsync(Doc("Pixel Phone"), Ct);

        Assert.Equal(["Apple iPhone 15"], await TitlesAsync("iphnoe"));
    }

    [Theory]
    [InlineData("tant", true)]    // 4 letters: one edit allowed (tent)
    [InlineData("tnet", true)]    // a transposition is one edit
    [InlineData("tan", false)]    // 3 letters: exact only
    [InlineData("tonnt", false)]  // 5 letters: one edit allowed, two needed
    public async Task Typo_tolerance_grows_with_the_length_of_the_word(string query, bool found)
    {
        await _index.UpsertAsync(Doc("Alpine Tent", category: "Sports/Outdoor"), Ct);

        Assert.Equal(found, (await TitlesAsync(query)).Contains("Alpine Tent"));
    }

    [Fact]
    public async Task Hits_mark_the_matched_words_including_typos_and_encode_the_rest()
    {
        await _index.UpsertAsync(Doc("Kestrel <Pro> Headphones", description: "Closed-back headphones & a case."), Ct);

        var hit = Assert.Single((await _index.SearchAsync(new SearchRequest("hedphones"), Ct)).Hits);

        Assert.Equal("Kestrel &lt;Pro&gt; <mark>Headphones</mark>", hit.Highlights!["title"]);
        Assert.Equal("Closed-back <mark>headphones</mark> &amp; a case.", hit.Highlights["description"]);
    }

    [Fact]
    public async Task Every_word_must_match()
    {
        await _index.UpsertAsync(Doc("Nimbus Rain Jacket", category: "Fashion/Men/Jackets", brand: "Nimbus"), Ct);
        await _index.UpsertAsync(Doc("Nimbus Down Jacket", category: "Fashion/Men/Jackets", brand: "Nimbus"), Ct);

        Assert.Equal(["Nimbus Rain Jacket"], await TitlesAsync("rain jacket"));
    }

    [Fact]
    public async Task The_last_word_may_be_unfinished()
    {
        await _index.UpsertAsync(Doc("Kestrel Headphones"), Ct);

        Assert.Equal(["Kestrel Headphones"], await TitlesAsync("kestrel headph"));
    }

    [Fact]
    public async Task Suggest_completes_titles_from_what_was_typed()
    {
        await _index.UpsertAsync(Doc("Acme Pro Earbuds 3"), Ct);
        await _index.UpsertAsync(Doc("Acme Protein Shaker"), Ct);
        await _index.UpsertAsync(Doc("Acme Lite Earbuds"), Ct);

        var suggestions = await _index.SuggestAsync("acme pro", 5, Ct);

        Assert.Equal(["Acme Pro Earbuds 3", "Acme Protein Shaker"], suggestions.Order());
    }

    [Fact]
    public async Task An_older_version_arriving_late_changes_nothing()
    {
        var id = Guid.NewGuid();
        Assert.True(await _index.UpsertAsync(Doc("Version Two", id: id, version: 2), Ct));

        Assert.False(await _index.UpsertAsync(Doc("Version One", id: id, version: 1), Ct));
        Assert.Equal(["Version Two"], await TitlesAsync("version"));
    }

    [Fact]
    public async Task A_removed_product_stays_removed_when_an_older_event_arrives()
    {
        var id = Guid.NewGuid();
        await _index.UpsertAsync(Doc("Vanishing Lamp", id: id, version: 2), Ct);
        Assert.True(await _index.UpsertAsync(SearchDocument.Tombstone(id, 3), Ct));

        Assert.False(await _index.UpsertAsync(Doc("Vanishing Lamp", id: id, version: 2), Ct));
        Assert.Empty(await TitlesAsync("vanishing"));
        Assert.Equal(0, await _index.CountAsync(Ct));
        Assert.Empty(await _index.SuggestAsync("vanish", 5, Ct));
    }

    [Fact]
    public async Task Concurrent_writes_share_commits_and_are_on_disk_when_they_return()
    {
        var docs = Enumerable.Range(0, 50).Select(i => Doc($"Durable Item {i}")).ToList();

        var applied = await Task.WhenAll(docs.Select(d => _index.UpsertAsync(d, Ct)));

        Assert.All(applied, Assert.True);
        // A reader opened on the directory (the writer still open) sees only what was committed.
        using var directory = Lucene.Net.Store.FSDirectory.Open(_path);
        using var committed = Lucene.Net.Index.DirectoryReader.Open(directory);
        Assert.Equal(50, committed.NumDocs);
    }

    [Fact]
    public async Task Stock_that_arrives_before_its_product_counts_when_the_product_comes()
    {
        var id = Guid.NewGuid();
        await _index.ApplyStockAsync(new StockDocument("EARLY-1", id, 4, 1), Ct);

        await _index.UpsertAsync(Doc("Early Stocked Lamp", id: id, skus: "EARLY-1"), Ct);

        var hit = Assert.Single((await _index.SearchAsync(new SearchRequest("lamp", InStockOnly: true), Ct)).Hits);
        Assert.True(hit.InStock);
    }

    [Fact]
    public async Task A_product_is_in_stock_while_any_variant_is_and_the_filter_and_facet_agree()
    {
        var mug = Guid.NewGuid();
        await _index.UpsertAsync(Doc("Stock Mug", id: mug, skus: ["MUG-S", "MUG-L"]), Ct);
        await _index.UpsertAsync(Doc("Stock Plate", skus: "PLATE-1"), Ct);
        await _index.ApplyStockAsync(new StockDocument("MUG-S", mug, 1, 1), Ct);
        await _index.ApplyStockAsync(new StockDocument("MUG-L", mug, 2, 1), Ct);

        var all = await _index.SearchAsync(new SearchRequest("stock"), Ct);
        var filtered = await _index.SearchAsync(new SearchRequest("stock", InStockOnly: true), Ct);
        Assert.Equal(2, all.Total);
        Assert.Equal(1, all.Facets.InStock);
        Assert.Equal(all.Facets.InStock, filtered.Total);

        await _index.ApplyStockAsync(new StockDocument("MUG-S", mug, 0, 2), Ct);
        Assert.Equal(1, (await _index.SearchAsync(new SearchRequest("stock", InStockOnly: true), Ct)).Total);

        await _index.ApplyStockAsync(new StockDocument("MUG-L", mug, 0, 2), Ct);
        var soldOut = await _index.SearchAsync(new SearchRequest("stock"), Ct);
        Assert.Equal(0, soldOut.Facets.InStock);
        Assert.Empty((await _index.SearchAsync(new SearchRequest("stock", InStockOnly: true), Ct)).Hits);
    }

    [Fact]
    public async Task An_older_stock_event_arriving_late_changes_nothing()
    {
        var id = Guid.NewGuid();
        await _index.UpsertAsync(Doc("Late Stock Chair", id: id, skus: "CHAIR-1"), Ct);
        Assert.True(await _index.ApplyStockAsync(new StockDocument("CHAIR-1", id, 0, 5), Ct));

        Assert.False(await _index.ApplyStockAsync(new StockDocument("CHAIR-1", id, 9, 4), Ct));

        Assert.False(Assert.Single((await _index.SearchAsync(new SearchRequest("chair"), Ct)).Hits).InStock);
    }

    [Fact]
    public async Task Stock_survives_a_product_update_and_a_reopened_index()
    {
        var id = Guid.NewGuid();
        await _index.UpsertAsync(Doc("Kept Stock Desk", id: id, skus: "DESK-1"), Ct);
        await _index.ApplyStockAsync(new StockDocument("DESK-1", id, 3, 1), Ct);
        await _index.UpsertAsync(Doc("Kept Stock Desk Deluxe", id: id, version: 2, skus: "DESK-1"), Ct);
        _index.Dispose();

        using var reopened = new LuceneSearchIndex(_path);

        Assert.True(Assert.Single((await reopened.SearchAsync(new SearchRequest("desk", InStockOnly: true), Ct)).Hits).InStock);
        Assert.False(await reopened.ApplyStockAsync(new StockDocument("DESK-1", id, 0, 1), Ct));
        Assert.True(await reopened.ApplyStockAsync(new StockDocument("DESK-1", id, 0, 2), Ct));
        Assert.Empty((await reopened.SearchAsync(new SearchRequest("desk", InStockOnly: true), Ct)).Hits);
    }

    public void Dispose()
    {
        _index.Dispose();
        Directory.Delete(_path, recursive: true);
    }
}
