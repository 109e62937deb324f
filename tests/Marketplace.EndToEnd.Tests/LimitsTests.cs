using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Limits that hold however they are approached: a cart's line cap across guest-cart merges, and how deep the catalogue pages.</summary>
public sealed class LimitsTests(MarketplaceAppFixture fixture)
{
    private const int MaxCartLines = 50;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Guest_cart_merges_cannot_take_a_cart_past_its_line_cap()
    {
        using var anonymous = fixture.CreateRawClient("gateway");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Cap Tester"));
        var skus = await SkusOnSaleAsync(anonymous, MaxCartLines + 2);
        foreach (var sku in skus[..45])
        {
            using var put = await shopper.PutAsJsonAsync($"/api/cart/items/{sku}", new { quantity = 1 }, Ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        // 5 lines the shopper has, 6 new ones: 51 different items.
        var tooMany = await GuestCartAsync(anonymous, skus[40..51]);

        using var refused = await shopper.PostAsJsonAsync("/api/cart/merge", new { guestCartId = tooMany }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(51, (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("mergedLines").GetInt32());
        Assert.Equal(45, await LinesAsync(shopper, "/api/cart"));
        Assert.Equal(11, await LinesAsync(anonymous, $"/api/cart/guest/{tooMany}"));

        // Trimmed to 50, the same guest cart merges; one more line in another guest cart is refused again.
        (await anonymous.DeleteAsync($"/api/cart/guest/{tooMany}/items/{skus[50]}", Ct)).Dispose();
        using var merged = await shopper.PostAsJsonAsync("/api/cart/merge", new { guestCartId = tooMany }, Ct);
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal(MaxCartLines, (await merged.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("lines").GetArrayLength());
        var oneMore = await GuestCartAsync(anonymous, [skus[51]]);
        using var refusedAgain = await shopper.PostAsJsonAsync("/api/cart/merge", new { guestCartId = oneMore }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, refusedAgain.StatusCode);
        Assert.Equal(MaxCartLines, await LinesAsync(shopper, "/api/cart"));
    }

    [Fact]
    public async Task Catalogue_pages_go_ten_thousand_products_deep()
    {
        using var anonymous = fixture.CreateRawClient("gateway");

        using var deepest = await anonymous.GetAsync("/api/catalog/products?page=100&pageSize=100", Ct);
        using var tooDeep = await anonymous.GetAsync("/api/catalog/products?page=101&pageSize=100", Ct);
        using var tooDeepSmallPages = await anonymous.GetAsync("/api/catalog/products?page=10000&pageSize=2", Ct);

        Assert.Equal(HttpStatusCode.OK, deepest.StatusCode);
        foreach (var refused in new[] { tooDeep, tooDeepSmallPages })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
            Assert.Equal(["page"], errors.EnumerateObject().Select(e => e.Name).ToArray());
        }
    }

    /// <summary>One SKU of each of <paramref name="count"/> different published products of the seeded catalogue.</summary>
    private static async Task<string[]> SkusOnSaleAsync(HttpClient anonymous, int count)
    {
        var page = await anonymous.GetFromJsonAsync<JsonElement>("/api/catalog/products?pageSize=100", Ct);
        var skus = page.GetProperty("items").EnumerateArray()
            .Select(p => p.GetProperty("variants")[0].GetProperty("sku").GetString()!).Distinct().Take(count).ToArray();
        Assert.Equal(count, skus.Length);
        return skus;
    }

    private static async Task<string> GuestCartAsync(HttpClient anonymous, IEnumerable<string> skus)
    {
        using var created = await anonymous.PostAsync("/api/cart/guest", null, Ct);
        var cartId = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("guestCartId").GetString()!;
        foreach (var sku in skus)
        {
            using var put = await anonymous.PutAsJsonAsync($"/api/cart/guest/{cartId}/items/{sku}", new { quantity = 1 }, Ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        return cartId;
    }

    private static async Task<int> LinesAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonElement>(path, Ct)).GetProperty("lines").GetArrayLength();
}
