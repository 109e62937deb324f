using System.Text.Json;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport.Extensions;
using Marketplace.Search.Index;

namespace Marketplace.Search.Tests;

/// <summary>The Elasticsearch adapter's requests as they go on the wire, checked without a server.</summary>
public sealed class ElasticsearchRequestTests
{
    private static readonly ElasticsearchClient Client = new(new ElasticsearchClientSettings(new Uri("http://localhost:9200")));

    private static JsonElement Wire(object request) =>
        JsonDocument.Parse(Client.ElasticsearchClientSettings.RequestResponseSerializer.SerializeToString(request)).RootElement;

    /// <summary>The client writes a one-clause list as the clause itself; either form means the same to Elasticsearch.</summary>
    private static JsonElement Single(JsonElement clauses) => clauses.ValueKind == JsonValueKind.Array ? Assert.Single(clauses.EnumerateArray()) : clauses;

    [Fact]
    public void A_query_matches_every_word_across_boosted_fields_with_length_based_typo_tolerance()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest("iphnoe case", Page: 3, PageSize: 10)));

        Assert.Equal(20, body.GetProperty("from").GetInt32());
        Assert.Equal(10, body.GetProperty("size").GetInt32());
        var multiMatch = Single(body.GetProperty("query").GetProperty("bool").GetProperty("must")).GetProperty("multi_match");
        Assert.Equal("iphnoe case", multiMatch.GetProperty("query").GetString());
        Assert.Equal(["title^4", "brand^2", "category^1.5", "description"], multiMatch.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("and", multiMatch.GetProperty("operator").GetString());
        Assert.Equal("AUTO:4,6", multiMatch.GetProperty("fuzziness").GetString());
        Assert.Equal(1, multiMatch.GetProperty("prefix_length").GetInt32());
        Assert.Equal("bool_prefix", multiMatch.GetProperty("type").GetString());
    }

    [Fact]
    public void Tombstones_never_match()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest(null)));

        var mustNot = Single(body.GetProperty("query").GetProperty("bool").GetProperty("must_not"));
        Assert.True(mustNot.GetProperty("term").GetProperty("deleted").GetProperty("value").GetBoolean());
        Assert.True(Single(body.GetProperty("query").GetProperty("bool").GetProperty("must")).TryGetProperty("match_all", out _));
    }

    [Fact]
    public void Suggest_completes_the_last_word_of_the_title()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildSuggestRequest("acme pro", 5));

        var prefix = Single(body.GetProperty("query").GetProperty("bool").GetProperty("must")).GetProperty("match_phrase_prefix").GetProperty("title");
        Assert.Equal("acme pro", prefix.GetProperty("query").GetString());
        Assert.Equal("title", Single(body.GetProperty("_source").GetProperty("includes")).GetString());
    }

    [Fact]
    public void Filters_narrow_without_scoring_and_sort_applies()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest(
            "phone", Category: "Electronics/", Brand: "Acme", MinPrice: 100m, MaxPrice: 500m, Sort: SearchSort.PriceAscending)));

        var filters = body.GetProperty("query").GetProperty("bool").GetProperty("filter");
        Assert.Equal(3, filters.GetArrayLength());
        Assert.Equal("Electronics", filters[0].GetProperty("term").GetProperty("categoryTree.keyword").GetProperty("value").GetString());
        Assert.Equal("Acme", filters[1].GetProperty("term").GetProperty("brand.keyword").GetProperty("value").GetString());
        Assert.Equal(100, filters[2].GetProperty("range").GetProperty("price").GetProperty("gte").GetDouble());
        Assert.Equal(500, filters[2].GetProperty("range").GetProperty("price").GetProperty("lte").GetDouble());
        Assert.Equal("asc", body.GetProperty("sort")[0].GetProperty("price").GetProperty("order").GetString());
    }

    [Fact]
    public void Facets_are_aggregations_over_the_filtered_results()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest("phone")));

        var aggregations = body.GetProperty("aggregations");
        Assert.Equal("categoryTree.keyword", aggregations.GetProperty("categories").GetProperty("terms").GetProperty("field").GetString());
        Assert.Equal("brand.keyword", aggregations.GetProperty("brands").GetProperty("terms").GetProperty("field").GetString());
        var ranges = aggregations.GetProperty("prices").GetProperty("range").GetProperty("ranges").EnumerateArray().ToList();
        Assert.Equal(Facets.PriceBounds.Length + 1, ranges.Count);
        Assert.False(ranges[0].TryGetProperty("from", out _));
        Assert.Equal(25, ranges[0].GetProperty("to").GetDouble());
        Assert.Equal(1000, ranges[^1].GetProperty("from").GetDouble());
        Assert.False(ranges[^1].TryGetProperty("to", out _));
    }

    [Fact]
    public void Documents_carry_their_category_tree_for_filters_and_facets()
    {
        var document = Wire(new SearchDocument(Guid.NewGuid(), 1, Guid.NewGuid(), "t", "d", "b", "Fashion/Men/Shoes", 1m, "USD"));

        Assert.Equal(["Fashion", "Fashion/Men", "Fashion/Men/Shoes"], document.GetProperty("categoryTree").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void A_query_asks_for_encoded_marked_fragments_of_title_and_description()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest("headphones")));

        var highlight = body.GetProperty("highlight");
        Assert.Equal("html", highlight.GetProperty("encoder").GetString());
        Assert.Equal("<mark>", Single(highlight.GetProperty("pre_tags")).GetString());
        var fields = highlight.GetProperty("fields");
        var names = fields.ValueKind == JsonValueKind.Array
            ? fields.EnumerateArray().SelectMany(f => f.EnumerateObject().Select(p => p.Name)).ToList()
            : fields.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["description", "title"], names.Order());
        Assert.False(Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest(null))).TryGetProperty("highlight", out _));
    }

    [Fact]
    public void The_index_is_created_with_keyword_sub_fields_for_filters_and_facets_and_real_types()
    {
        var properties = Wire(ElasticsearchMapping.CreateIndexRequest()).GetProperty("mappings").GetProperty("properties");

        foreach (var field in (string[])["title", "brand", "category", "categoryTree"])
        {
            Assert.Equal("text", properties.GetProperty(field).GetProperty("type").GetString());
            Assert.Equal("keyword", properties.GetProperty(field).GetProperty("fields").GetProperty("keyword").GetProperty("type").GetString());
        }
        Assert.Equal("scaled_float", properties.GetProperty("price").GetProperty("type").GetString());
        Assert.Equal(100, properties.GetProperty("price").GetProperty("scaling_factor").GetDouble());
        Assert.Equal("date", properties.GetProperty("updatedAt").GetProperty("type").GetString());
        Assert.Equal("boolean", properties.GetProperty("deleted").GetProperty("type").GetString());
    }

    [Fact]
    public void In_stock_is_a_filter_and_a_counted_facet()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildRequest(new Marketplace.Search.Index.SearchRequest("lamp", InStockOnly: true)));

        var filter = Single(body.GetProperty("query").GetProperty("bool").GetProperty("filter"));
        Assert.True(filter.GetProperty("term").GetProperty("inStock").GetProperty("value").GetBoolean());
        Assert.True(body.GetProperty("aggregations").GetProperty("inStock").GetProperty("filter").GetProperty("term").GetProperty("inStock").GetProperty("value").GetBoolean());
    }

    [Fact]
    public void Stock_is_indexed_per_sku_with_its_version_as_an_external_version()
    {
        var request = ElasticsearchSearchIndex.BuildStockRequest(new StockDocument("LAMP-1", Guid.Empty, 3, 42));
        var body = Wire(request);

        Assert.Equal("LAMP-1", body.GetProperty("sku").GetString());
        Assert.Equal(3, body.GetProperty("available").GetInt32());
        Assert.Equal(42L, request.Version);
        Assert.Equal(VersionType.External, request.VersionType);
    }

    [Fact]
    public void A_product_is_in_stock_when_any_of_its_skus_has_units()
    {
        var body = Wire(ElasticsearchSearchIndex.BuildInStockRequest(["A-1", "A-2"]));

        Assert.Equal(0, body.GetProperty("size").GetInt32());
        var filters = body.GetProperty("query").GetProperty("bool").GetProperty("filter").EnumerateArray().ToList();
        Assert.Equal(["A-1", "A-2"], filters[0].GetProperty("terms").GetProperty("sku").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, filters[1].GetProperty("range").GetProperty("available").GetProperty("gt").GetDouble());
    }
}
