using Marketplace.Web.Authentication;
using Marketplace.Web.Components.Store;
using Marketplace.Web.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Web.Tests;

/// <summary>The search box on every page.</summary>
public sealed class SearchBoxTests : WebTestContext
{
    private sealed class NoToken : IAccessTokens
    {
        public Task<string?> GetAccessTokenAsync(CancellationToken ct = default) => Task.FromResult<string?>(null);
    }

    public SearchBoxTests()
    {
        Services.AddSingleton(new SearchClient(new HttpClient { BaseAddress = new Uri("http://gateway") }, new NoToken()));
    }

    [Fact]
    public void Before_the_page_is_interactive_enter_submits_a_plain_search_form()
    {
        var cut = Render<SearchBox>();

        // Prerendered (or not yet connected), Enter submits the form natively: GET search?q=<what was typed>.
        var form = cut.Find("form[role='search']");
        Assert.Equal(("search", "get"), (form.GetAttribute("action"), form.GetAttribute("method")));
        var input = Assert.Single(form.QuerySelectorAll("input"));
        Assert.Equal("q", input.GetAttribute("name"));
    }
}
