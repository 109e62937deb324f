using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// A SKU's stock belongs to whoever the catalogue says sells it now: when a product is deleted and another
/// merchant reuses its SKU, the stock changes hands, and each merchant reads only its own part of the ledger.
/// </summary>
public sealed class StockOwnershipTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string FirstMerchantId = "5a0f3c1e-0000-4000-8000-000000000001";

    [Fact]
    public async Task A_reused_sku_belongs_to_the_new_merchant_and_the_old_one_is_locked_out()
    {
        using var first = await fixture.ClientForAsync("merchant@marketplace.test");
        using var second = await fixture.ClientForAsync("merchant2@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var (productId, sku) = await ProductWithStockAsync(first, "Handed-on Hourglass", units: 7);
        using (var delivered = await first.PostAsJsonAsync($"/api/inventory/{sku}/adjustments", new { delta = 3, reason = "first merchant's delivery" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }
        await DeleteProductAsync(first, productId);

        using var reused = await second.PostAsJsonAsync("/api/catalog/products", CatalogManagementTests.NewProduct("Second Hourglass", sku), Ct);
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        var secondMerchantId = (await reused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("merchantId").GetString();
        Assert.NotEqual(FirstMerchantId, secondMerchantId);

        // The new owner reads and changes the stock: the units counted under the SKU come with it (once the
        // catalogue's delete and publish events, which race this read, have both been applied).
        var taken = await EventuallyOwnedAsync(second, sku);
        Assert.Equal(secondMerchantId, taken.GetProperty("merchantId").GetString());
        Assert.Equal(10, taken.GetProperty("onHand").GetInt32());
        using var adjusted = await second.PostAsJsonAsync($"/api/inventory/{sku}/adjustments", new { delta = 5, reason = "second merchant's delivery" }, Ct);
        Assert.Equal(HttpStatusCode.OK, adjusted.StatusCode);
        Assert.Equal(15, (await adjusted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("onHand").GetInt32());

        // The old owner neither reads nor changes it any more.
        using var oldRead = await first.GetAsync($"/api/inventory/{sku}", Ct);
        using var oldCount = await first.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = 0 }, Ct);
        using var oldAdjust = await first.PostAsJsonAsync($"/api/inventory/{sku}/adjustments", new { delta = -1, reason = "taking it back" }, Ct);
        using var oldMovements = await first.GetAsync($"/api/inventory/{sku}/movements", Ct);
        foreach (var refused in new[] { oldRead, oldCount, oldAdjust, oldMovements })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(15, (await StockAsync(admin, sku)).GetProperty("onHand").GetInt32());

        // Each merchant's ledger is its own time with the SKU: the new owner's starts with the units it took over.
        var seenBySecond = (await second.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct)).EnumerateArray().ToList();
        Assert.Equal(new[] { "Adjustment", "Transfer" }, seenBySecond.Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal(new[] { 5, 10 }, seenBySecond.Select(m => m.GetProperty("onHandDelta").GetInt32()));
        Assert.DoesNotContain(seenBySecond, m => m.GetProperty("reference").GetString() == "first merchant's delivery");
        var seenByAdmin = (await admin.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}/movements", Ct)).EnumerateArray().ToList();
        Assert.Contains(seenByAdmin, m => m.GetProperty("reference").GetString() == "first merchant's delivery");
        Assert.Equal(15, seenByAdmin.Sum(m => m.GetProperty("onHandDelta").GetInt32()));
        await AssertLedgerConsistentAsync(admin);
    }

    [Fact]
    public async Task A_deleted_products_stock_is_nobodys_until_the_catalogue_gives_the_sku_again()
    {
        using var first = await fixture.ClientForAsync("merchant@marketplace.test");
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var (productId, sku) = await ProductWithStockAsync(first, "Orphaned Ottoman", units: 4);
        await DeleteProductAsync(first, productId);

        using var read = await first.GetAsync($"/api/inventory/{sku}", Ct);
        using var count = await first.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = 9 }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, count.StatusCode);
        var orphan = await StockAsync(admin, sku);
        Assert.Equal(Guid.Empty.ToString(), orphan.GetProperty("merchantId").GetString());
        Assert.Equal(JsonValueKind.Null, orphan.GetProperty("productId").ValueKind);
        Assert.Equal(4, orphan.GetProperty("onHand").GetInt32());
    }

    [Fact]
    public async Task The_new_owners_stock_list_follows_the_catalogue_without_anyone_reading_the_sku()
    {
        using var first = await fixture.ClientForAsync("merchant@marketplace.test");
        using var second = await fixture.ClientForAsync("merchant2@marketplace.test");
        var (productId, sku) = await ProductWithStockAsync(first, "Listed Lantern", units: 0);
        await DeleteProductAsync(first, productId);

        // Published, so the catalogue announces it: Inventory moves the SKU on the event alone.
        using var reused = await second.PostAsJsonAsync("/api/catalog/products", CatalogManagementTests.NewProduct("Relisted Lantern", sku), Ct);
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        var reusedId = (await reused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using (var published = await second.PostAsync($"/api/catalog/products/{reusedId}/publish", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        }

        await EventuallyAsync(async () =>
        {
            Assert.True(await ListsAsync(second, sku), $"{sku} is not in the second merchant's low-stock list");
            Assert.False(await ListsAsync(first, sku), $"{sku} is still in the first merchant's low-stock list");
        });
    }

    private static async Task DeleteProductAsync(HttpClient merchant, Guid productId)
    {
        using var read = await merchant.GetAsync($"/api/catalog/products/{productId}", Ct);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/catalog/products/{productId}");
        delete.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        using var deleted = await merchant.SendAsync(delete, Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    /// <summary>Whether the merchant's own low-stock list (no single-SKU read, which would ask the catalogue) has the SKU.</summary>
    private static async Task<bool> ListsAsync(HttpClient merchant, string sku)
    {
        for (var page = 1; page <= 50; page++)
        {
            var listed = await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory?lowStockOnly=true&pageSize=100&page={page}", Ct);
            var items = listed.GetProperty("items").EnumerateArray().ToList();
            if (items.Any(i => i.GetProperty("sku").GetString() == sku))
            {
                return true;
            }
            if (items.Count < 100)
            {
                return false;
            }
        }
        return false;
    }

    private static async Task<JsonElement> EventuallyOwnedAsync(HttpClient owner, string sku)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var response = await owner.GetAsync($"/api/inventory/{sku}", Ct);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            }
            await Task.Delay(250, Ct);
        }
    }
}
