using Marketplace.Web.Components.Store;
using Marketplace.Web.Services;

namespace Marketplace.Web.Tests;

/// <summary>The results page's filters: what the shopper sees (values with their counts) and the query a choice asks for.</summary>
public sealed class FacetFiltersTests : WebTestContext
{
    private static readonly Facets Facets = new(
        Categories: [new("Electronics", 40), new("Electronics/Audio", 25), new("Electronics/Phones", 15), new("Home", 12), new("Home/Kitchen", 12)],
        Brands: [new("Acme", 30), new("Northwind", 22)],
        PriceRanges: [new(0, 25, 5), new(25, 50, 20), new(1000, null, 3)],
        InStock: 41);

    private SearchQuery? _asked;

    private IRenderedComponent<FacetFilters> RenderFilters(SearchQuery query) =>
        Render<FacetFilters>(p => p
            .Add(c => c.Facets, Facets)
            .Add(c => c.Query, query)
            .Add(c => c.QueryChanged, (SearchQuery q) => _asked = q));

    [Fact]
    public void Every_value_is_shown_with_its_count_and_top_level_categories_first()
    {
        var cut = RenderFilters(new SearchQuery(Q: "hedphones"));

        Assert.Equal(["Electronics (40)", "Home (12)"], cut.CheckBoxLabels("facet-category"));
        Assert.Equal(["Acme (30)", "Northwind (22)"], cut.CheckBoxLabels("facet-brand"));
        Assert.Equal(["Under $25 (5)", "$25 – $50 (20)", "$1,000 and up (3)"], cut.CheckBoxLabels("facet-price"));
        Assert.Equal(["In stock only (41)"], cut.CheckBoxLabels("facet-stock"));
    }

    [Fact]
    public void Choosing_a_brand_asks_for_it_from_the_first_page_keeping_the_words_and_other_filters()
    {
        var cut = RenderFilters(new SearchQuery(Q: "hedphones", InStock: true, Sort: SearchQuery.PriceAscending, Page: 3));

        cut.CheckBox("Acme (30)").Change(true);

        Assert.Equal(new SearchQuery(Q: "hedphones", Brand: "Acme", InStock: true, Sort: SearchQuery.PriceAscending, Page: 1), _asked);
        Assert.Equal("search?q=hedphones&brand=Acme&inStock=true&sort=price-asc", _asked!.ToUrl());
    }

    [Fact]
    public void A_chosen_category_shows_checked_with_its_subcategories_and_unchecking_goes_up_a_level()
    {
        var cut = RenderFilters(new SearchQuery(Category: "Electronics"));

        Assert.Equal(["Electronics (40)", "Audio (25)", "Phones (15)"], cut.CheckBoxLabels("facet-category"));
        Assert.True(cut.CheckBox("Electronics (40)").IsChecked());

        cut.CheckBox("Audio (25)").Change(true);
        Assert.Equal("Electronics/Audio", _asked!.Category);

        cut.CheckBox("Electronics (40)").Change(false);
        Assert.Null(_asked!.Category);
    }

    [Fact]
    public void A_price_range_becomes_min_and_max_up_to_a_cent_below_the_next_bound()
    {
        var cut = RenderFilters(new SearchQuery());

        cut.CheckBox("$25 – $50 (20)").Change(true);
        Assert.Equal((25m, 49.99m), (_asked!.MinPrice, _asked.MaxPrice));

        cut.CheckBox("$1,000 and up (3)").Change(true);
        Assert.Equal((1000m, (decimal?)null), (_asked!.MinPrice, _asked.MaxPrice));
    }

    [Fact]
    public void The_chosen_price_range_is_checked_and_clearing_all_drops_every_filter_but_the_words()
    {
        var cut = RenderFilters(new SearchQuery(Q: "lamp", Brand: "Acme", MinPrice: 25, MaxPrice: 49.99m, InStock: true));

        Assert.True(cut.CheckBox("$25 – $50 (20)").IsChecked());
        Assert.False(cut.CheckBox("Under $25 (5)").IsChecked());
        Assert.True(cut.CheckBox("In stock only (41)").IsChecked());

        cut.Find("[data-testid='clear-filters']").Click();
        Assert.Equal(new SearchQuery(Q: "lamp"), _asked);
    }

    [Fact]
    public void In_stock_only_is_asked_for_and_dropped()
    {
        var cut = RenderFilters(new SearchQuery(Q: "lamp"));
        cut.CheckBox("In stock only (41)").Change(true);
        Assert.True(_asked!.InStock);
    }
}
