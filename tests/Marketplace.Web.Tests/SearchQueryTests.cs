using Marketplace.Web.Services;

namespace Marketplace.Web.Tests;

/// <summary>The results page keeps its state in the URL: what goes in comes back out, and nonsense is dropped.</summary>
public sealed class SearchQueryTests
{
    [Fact]
    public void A_query_survives_its_url()
    {
        var query = new SearchQuery("wireless hedphones", "Electronics/Audio", "Acme & Co", 25m, 49.99m, true, SearchQuery.Newest, 4);
        var url = query.ToUrl();
        var parameters = System.Web.HttpUtility.ParseQueryString(new Uri("http://shop/" + url).Query);

        Assert.Equal(query, SearchQuery.From(parameters["q"], parameters["category"], parameters["brand"], parameters["minPrice"],
            parameters["maxPrice"], parameters["inStock"], parameters["sort"], parameters["page"]));
    }

    [Fact]
    public void Defaults_are_left_out_of_the_url_but_sent_to_the_api()
    {
        Assert.Equal("search?q=lamp", new SearchQuery(Q: " lamp ").ToUrl());
        Assert.Equal("q=lamp&sort=relevance&page=1&pageSize=24", new SearchQuery(Q: "lamp").ToApiQuery(24));
    }

    [Fact]
    public void Values_the_api_would_refuse_are_dropped_and_a_reversed_price_range_is_turned_round()
    {
        var query = SearchQuery.From("lamp", null, null, "90", "10", "yes", "cheapest-first", "0");
        Assert.Equal(new SearchQuery(Q: "lamp", MinPrice: 10, MaxPrice: 90), query);
        Assert.Equal(1, SearchQuery.From(null, null, null, "-5", "abc", null, null, "99999").Page);
        Assert.Null(SearchQuery.From(null, null, null, "-5", null, null, null, null).MinPrice);
    }
}
