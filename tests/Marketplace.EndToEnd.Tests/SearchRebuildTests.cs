using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>An admin refills the search index from the catalogue; Search reads it with its own service token.</summary>
public sealed class SearchRebuildTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_rebuilds_the_index_from_the_whole_catalogue()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var published = (await admin.GetFromJsonAsync<JsonElement>("/api/catalog/products?pageSize=1", Ct)).GetProperty("total").GetInt64();

        using var started = await admin.PostAsync("/api/search/rebuild", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("/api/search/rebuild", started.Headers.Location?.OriginalString);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement status;
        do
        {
            await Task.Delay(250, Ct);
            status = await admin.GetFromJsonAsync<JsonElement>("/api/search/rebuild", Ct);
        }
        while (status.GetProperty("state").GetString() == "Running" && DateTime.UtcNow < deadline);
        Assert.True(status.GetProperty("state").GetString() == "Completed", $"the rebuild ended as {status}");
        // Products published by other tests meanwhile may be counted too.
        Assert.True(status.GetProperty("indexed").GetInt64() >= published, $"indexed {status.GetProperty("indexed")} of {published}");
        var searchable = (await admin.GetFromJsonAsync<JsonElement>("/api/search?pageSize=1", Ct)).GetProperty("total").GetInt64();
        Assert.True(searchable >= published, $"{searchable} searchable, {published} published");
    }
}
