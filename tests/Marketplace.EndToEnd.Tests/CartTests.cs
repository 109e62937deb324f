using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Marketplace.EndToEnd.Tests.Shop;

namespace Marketplace.EndToEnd.Tests;

/// <summary>Carts in Redis through the gateway: a guest's cart merged at sign-in, today's prices, and checkout from the cart.</summary>
public sealed class CartTests(MarketplaceAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Quantity(JsonElement cart, string sku) =>
        cart.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("sku").GetString() == sku).Select(l => l.GetProperty("quantity").GetInt32()).SingleOrDefault();

    [Fact]
    public async Task A_guest_cart_merges_into_the_shoppers_cart_at_sign_in()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var guest = fixture.CreateRawClient("gateway");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Guest Turned Shopper"));
        var (_, both) = await ProductWithStockAsync(merchant, "Merged Mittens", units: 10);
        var (_, guestOnly) = await ProductWithStockAsync(merchant, "Guest Gloves", units: 10);

        using var created = await guest.PostAsync("/api/cart/guest", null, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var cartId = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("guestCartId").GetString();
        (await guest.PutAsJsonAsync($"/api/cart/guest/{cartId}/items/{both}", new { quantity = 2 }, Ct)).Dispose();
        (await guest.PutAsJsonAsync($"/api/cart/guest/{cartId}/items/{guestOnly}", new { quantity = 1 }, Ct)).Dispose();
        (await shopper.PutAsJsonAsync($"/api/cart/items/{both}", new { quantity = 1 }, Ct)).Dispose();

        using var merged = await shopper.PostAsJsonAsync("/api/cart/merge", new { guestCartId = cartId }, Ct);
        using var mergedAgain = await shopper.PostAsJsonAsync("/api/cart/merge", new { guestCartId = cartId }, Ct);

        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var cart = await mergedAgain.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((3, 1), (Quantity(cart, both), Quantity(cart, guestOnly)));
        Assert.Equal(100m, cart.GetProperty("subtotal").GetDecimal());
        var left = await guest.GetFromJsonAsync<JsonElement>($"/api/cart/guest/{cartId}", Ct);
        Assert.Empty(left.GetProperty("lines").EnumerateArray());
    }

    [Fact]
    public async Task The_cart_shows_todays_price_and_checkout_charges_it_then_empties_the_cart()
    {
        using var merchant = await fixture.ClientForAsync("merchant@marketplace.test");
        using var shopper = await fixture.ClientForAsync(await fixture.NewShopperAsync("Price Checker"));
        var (productId, sku) = await ProductWithStockAsync(merchant, "Repriced Radio", units: 5, price: 20m);
        (await shopper.PutAsJsonAsync($"/api/cart/items/{sku}", new { quantity = 2 }, Ct)).Dispose();
        using var read = await merchant.GetAsync($"/api/catalog/products/{productId}", Ct);
        var product = await read.Content.ReadFromJsonAsync<JsonElement>(Ct);
        using var reprice = new HttpRequestMessage(HttpMethod.Put, $"/api/catalog/products/{productId}")
        {
            Content = JsonContent.Create(CatalogManagementTests.NewProduct(product.GetProperty("title").GetString()!, sku, price: 25m)),
        };
        reprice.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        using var repriced = await merchant.SendAsync(reprice, Ct);
        Assert.Equal(HttpStatusCode.OK, repriced.StatusCode);

        var cart = await shopper.GetFromJsonAsync<JsonElement>("/api/cart", Ct);
        var line = Assert.Single(cart.GetProperty("lines").EnumerateArray());
        Assert.Equal((25m, 20m, true), (line.GetProperty("unitPrice").GetDecimal(), line.GetProperty("unitPriceWhenAdded").GetDecimal(), line.GetProperty("priceChanged").GetBoolean()));
        using var atOldPrice = await PlaceAsync(shopper, Order(sku, quantity: 2, expectedTotal: 40m));
        Assert.Equal(HttpStatusCode.Conflict, atOldPrice.StatusCode);

        var id = await PlaceAcceptedAsync(shopper, Order(sku, quantity: 2, expectedTotal: cart.GetProperty("subtotal").GetDecimal()));

        Assert.Equal(50m, (await OrderAsync(shopper, id)).GetProperty("total").GetDecimal());
        Assert.Empty((await shopper.GetFromJsonAsync<JsonElement>("/api/cart", Ct)).GetProperty("lines").EnumerateArray());
    }

    [Fact]
    public async Task A_cart_refuses_what_is_not_on_sale_and_impossible_quantities()
    {
        using var shopper = await fixture.ClientForAsync("shopper2@marketplace.test");
        using var guest = fixture.CreateRawClient("gateway");

        using var unknown = await shopper.PutAsJsonAsync("/api/cart/items/E2E-NOT-ON-SALE", new { quantity = 1 }, Ct);
        using var tooMany = await shopper.PutAsJsonAsync("/api/cart/items/E2E-NOT-ON-SALE", new { quantity = 1000 }, Ct);
        using var badGuest = await guest.GetAsync("/api/cart/guest/not-a-cart-id", Ct);
        using var badMerge = await shopper.PostAsJsonAsync("/api/cart/merge", new { guestCartId = "../../etc" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, badGuest.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMerge.StatusCode);
    }
}
