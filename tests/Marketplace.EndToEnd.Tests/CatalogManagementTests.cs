using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Merchants manage their own products through the gateway; stale writes are refused; search follows.</summary>
public sealed class CatalogManagementTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static object NewProduct(string title, string? sku = null, decimal price = 49.99m, Guid? merchantId = null) => new
    {
        merchantId,
        title,
        description = $"{title}, made for the end-to-end tests.",
        brand = "Testbrand",
        category = "Electronics/Audio",
        price,
        currency = "USD",
        imageUrls = new[] { "/images/products/audio.svg" },
        variants = new[] { new { sku = sku ?? $"E2E-{Guid.NewGuid():N}"[..24].ToUpperInvariant(), options = new Dictionary<string, string> { ["colour"] = "Black" } } },
        attributes = new object[] { new { name = "wireless", type = "boolean", value = "true" }, new { name = "batteryHours", type = "number", value = "30", unit = "h" } },
    };

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return request;
    }

    /// <summary>Creates and publishes a product as <paramref name="merchant"/>; returns its id and current ETag.</summary>
    public static async Task<(Guid Id, string ETag)> CreatePublishedAsync(HttpClient merchant, string title)
    {
        using var created = await merchant.PostAsJsonAsync("/api/catalog/products", NewProduct(title), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using var published = await merchant.SendAsync(Request(HttpMethod.Post, $"/api/catalog/products/{id}/publish"), Ct);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        return (id, published.Headers.ETag!.ToString());
    }

    private async Task<JsonElement?> SearchForAsync(string term, Guid id, bool expectFound)
    {
        using var anonymous = fixture.CreateRawClient("gateway");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var result = await anonymous.GetFromJsonAsync<JsonElement>($"/api/search?q={Uri.EscapeDataString(term)}", Ct);
            var hit = result.GetProperty("hits").EnumerateArray().Where(h => h.GetProperty("productId").GetGuid() == id).Cast<JsonElement?>().FirstOrDefault();
            if ((hit is not null) == expectFound || DateTime.UtcNow > deadline)
            {
                return hit;
            }
            await Task.Delay(100, Ct);
        }
    }

    [Fact]
    public async Task A_draft_is_the_merchants_alone_until_published_and_then_searchable()
    {
        var word = $"Zork{Guid.NewGuid():N}"[..12];
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var rival = await fixture.ClientForAsync("merchant2@marketplace.test");
        using var anonymous = fixture.CreateRawClient("gateway");

        using var created = await merchant.PostAsJsonAsync("/api/catalog/products", NewProduct($"{word} Headphones"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.ToString());
        var product = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = product.GetProperty("id").GetGuid();
        Assert.Equal($"/api/catalog/products/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("5a0f3c1e-0000-4000-8000-000000000001", product.GetProperty("merchantId").GetString());
        Assert.Equal("boolean", product.GetProperty("attributes")[0].GetProperty("type").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/catalog/products/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await rival.GetAsync($"/api/catalog/products/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await merchant.GetAsync($"/api/catalog/products/{id}", Ct)).StatusCode);

        using var published = await merchant.SendAsync(Request(HttpMethod.Post, $"/api/catalog/products/{id}/publish"), Ct);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("\"2\"", published.Headers.ETag?.ToString());

        using var read = await anonymous.GetAsync($"/api/catalog/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"2\"", read.Headers.ETag?.ToString());
        Assert.NotNull(await SearchForAsync(word, id, expectFound: true));
    }

    [Fact]
    public async Task A_change_needs_the_version_it_read()
    {
        var word = $"Quux{Guid.NewGuid():N}"[..12];
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        var (id, etag) = await CreatePublishedAsync(merchant, $"{word} Speaker");

        using var missing = await merchant.SendAsync(Request(HttpMethod.Put, $"/api/catalog/products/{id}", NewProduct($"{word} Speaker II")), Ct);
        using var stale = await merchant.SendAsync(Request(HttpMethod.Put, $"/api/catalog/products/{id}", NewProduct($"{word} Speaker II"), "\"1\""), Ct);
        Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);

        using var fresh = await merchant.SendAsync(Request(HttpMethod.Put, $"/api/catalog/products/{id}", NewProduct($"{word} Speaker II", price: 59.99m), etag), Ct);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("\"3\"", fresh.Headers.ETag?.ToString());
        var changed = System.Diagnostics.Stopwatch.StartNew();

        var hit = await SearchForAsync("Speaker II " + word, id, expectFound: true);
        Assert.Equal(59.99m, hit!.Value.GetProperty("price").GetDecimal());
        Assert.True(changed.Elapsed < TimeSpan.FromSeconds(2), $"the change took {changed.ElapsedMilliseconds} ms to be searchable");
    }

    [Fact]
    public async Task Concurrent_changes_from_one_read_let_exactly_one_through()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        var (id, etag) = await CreatePublishedAsync(merchant, "Contended Earbuds");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await merchant.SendAsync(Request(HttpMethod.Put, $"/api/catalog/products/{id}", NewProduct($"Contended Earbuds {i}"), etag), Ct);
            return response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
    }

    [Fact]
    public async Task A_merchant_cannot_touch_another_merchants_product()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var rival = await fixture.ClientForAsync("merchant2@marketplace.test");
        var (id, etag) = await CreatePublishedAsync(merchant, "Guarded Amplifier");

        using var put = await rival.SendAsync(Request(HttpMethod.Put, $"/api/catalog/products/{id}", NewProduct("Hijacked"), etag), Ct);
        using var delete = await rival.SendAsync(Request(HttpMethod.Delete, $"/api/catalog/products/{id}", ifMatch: etag), Ct);
        using var unpublish = await rival.SendAsync(Request(HttpMethod.Post, $"/api/catalog/products/{id}/unpublish"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unpublish.StatusCode);
        using var anonymous = fixture.CreateRawClient("gateway");
        var stored = await anonymous.GetFromJsonAsync<JsonElement>($"/api/catalog/products/{id}", Ct);
        Assert.Equal("Guarded Amplifier", stored.GetProperty("title").GetString());
    }

    [Fact]
    public async Task An_admin_manages_any_merchants_products_and_names_the_merchant()
    {
        using var admin = await fixture.ClientForAsync("admin@marketplace.test");
        var merchant2 = Guid.Parse("5a0f3c1e-0000-4000-8000-000000000002");

        using var unnamed = await admin.PostAsJsonAsync("/api/catalog/products", NewProduct("Admin Made"), Ct);
        using var named = await admin.PostAsJsonAsync("/api/catalog/products", NewProduct("Admin Made", merchantId: merchant2), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.True((await unnamed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("merchantId", out _));
        Assert.Equal(HttpStatusCode.Created, named.StatusCode);
        Assert.Equal(merchant2, (await named.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("merchantId").GetGuid());
    }

    [Fact]
    public async Task An_invalid_product_names_each_field_and_creates_nothing()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        // A SKU of its own: "creates nothing" is then checked on this product alone. Counting the merchant's products
        // before and after was not: other tests create and delete the same merchant's products meanwhile.
        var validSku = $"OK-SKU-{Random.Shared.Next(100000, 999999)}";

        using var response = await merchant.PostAsJsonAsync("/api/catalog/products", new
        {
            title = "", brand = "B", category = "Electronics//Phones", price = -1m, currency = "usd",
            imageUrls = new[] { "javascript:alert(1)" },
            variants = new[] { new { sku = "bad sku" }, new { sku = validSku }, new { sku = validSku } },
            attributes = new[] { new { name = "1st", type = "number", value = "many" } },
        }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "title", "category", "price", "currency", "imageUrls[0]", "variants[0].sku", "variants[2].sku", "attributes[0].name", "attributes[0].value" }, errors);
        using var catalog = await fixture.ServiceClientAsync("inventory", "catalog", "catalog");
        var known = await catalog.GetFromJsonAsync<JsonElement>($"/internal/catalog/skus?sku={validSku}", Ct);
        Assert.Equal(0, known.GetArrayLength());
    }

    [Fact]
    public async Task A_sku_in_use_by_another_product_is_a_conflict()
    {
        var sku = $"SHARED-{Random.Shared.Next(100000, 999999)}";
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var rival = await fixture.ClientForAsync("merchant2@marketplace.test");

        using var first = await merchant.PostAsJsonAsync("/api/catalog/products", NewProduct("Original", sku), Ct);
        using var second = await rival.PostAsJsonAsync("/api/catalog/products", NewProduct("Copycat", sku), Ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(sku, (await second.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sku").GetString());
    }

    [Fact]
    public async Task A_deleted_product_is_gone_from_the_catalogue_and_search()
    {
        var word = $"Gone{Guid.NewGuid():N}"[..12];
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        var (id, etag) = await CreatePublishedAsync(merchant, $"{word} Turntable");
        Assert.NotNull(await SearchForAsync(word, id, expectFound: true));

        using var deleted = await merchant.SendAsync(Request(HttpMethod.Delete, $"/api/catalog/products/{id}", ifMatch: etag), Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await merchant.GetAsync($"/api/catalog/products/{id}", Ct)).StatusCode);
        Assert.Null(await SearchForAsync(word, id, expectFound: false));
    }

    [Fact]
    public async Task An_unchanged_product_answers_304()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        var (id, etag) = await CreatePublishedAsync(merchant, "Conditional Mixer");
        using var anonymous = fixture.CreateRawClient("gateway");

        using var request = Request(HttpMethod.Get, $"/api/catalog/products/{id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var response = await anonymous.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    /// <summary>
    /// Two Catalog replicas behind one address, both caching the product in memory: after a change
    /// through the gateway, every read from either replica shows it within a second.
    /// </summary>
    /// <summary>A read on a new connection: the address's proxy spreads connections, not requests, over the replicas.</summary>
    private static async Task<HttpResponseMessage> ReadOnNewConnectionAsync(HttpClient catalog, Guid id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/catalog/products/{id}");
        request.Headers.ConnectionClose = true;
        return await catalog.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_change_is_visible_on_every_catalog_instance_within_a_second()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        var (id, etag) = await CreatePublishedAsync(merchant, "Cached Soundbar");
        using var catalog = fixture.CreateRawClient("catalog");
        var instances = new HashSet<string>();
        for (var i = 0; i < 40 && instances.Count < 2; i++)
        {
            using var warm = await ReadOnNewConnectionAsync(catalog, id);
            instances.Add(warm.Headers.GetValues("X-Served-By-Instance").Single());
        }
        Assert.Equal(2, instances.Count);

        using var changed = await merchant.SendAsync(Request(HttpMethod.Put, $"/api/catalog/products/{id}", NewProduct("Cached Soundbar Mk2"), etag), Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var changedAt = DateTime.UtcNow;

        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        var seen = new HashSet<string>();
        for (var i = 0; i < 40 && seen.Count < 2; i++)
        {
            using var read = await ReadOnNewConnectionAsync(catalog, id);
            var product = await read.Content.ReadFromJsonAsync<JsonElement>(Ct);
            var instance = read.Headers.GetValues("X-Served-By-Instance").Single();
            Assert.True(product.GetProperty("title").GetString() == "Cached Soundbar Mk2",
                $"{instance} still served '{product.GetProperty("title").GetString()}' {(DateTime.UtcNow - changedAt).TotalMilliseconds:F0} ms after the change");
            seen.Add(instance);
        }
        Assert.Equal(2, seen.Count);
    }
}
