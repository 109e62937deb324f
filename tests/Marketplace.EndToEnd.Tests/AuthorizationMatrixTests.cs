using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Every endpoint of the public surface that exists × every kind of caller, with the status each must
/// get. Extend <see cref="Endpoints"/> as endpoints appear; the test prints how many cells it checked.
/// </summary>
public sealed class AuthorizationMatrixTests(MarketplaceAppFixture fixture)
{
    public enum Caller { Anonymous, Shopper, OtherShopper, Merchant, OtherMerchant, Admin }

    private static readonly Dictionary<Caller, string> Accounts = new()
    {
        [Caller.Shopper] = "shopper@marketplace.test",
        [Caller.OtherShopper] = "shopper2@marketplace.test",
        [Caller.Merchant] = "merchant@marketplace.test",
        [Caller.OtherMerchant] = "merchant2@marketplace.test",
        [Caller.Admin] = "admin@marketplace.test",
    };

    /// <param name="Body">Made afresh for every request (new products need SKUs of their own).</param>
    private sealed record Endpoint(HttpMethod Method, string Path, Func<object>? Body, Func<Caller, HttpStatusCode> Expected, string? IfMatch = null);

    private static HttpStatusCode Anyone(Caller _) => HttpStatusCode.OK;

    private static HttpStatusCode SignedIn(Caller c) => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.OK;

    /// <summary>Only <paramref name="owner"/> reaches the resource; other signed-in callers are told it does not exist.</summary>
    private static Func<Caller, HttpStatusCode> OwnerOnly(Caller owner, HttpStatusCode ok = HttpStatusCode.OK) =>
        c => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : c == owner ? ok : HttpStatusCode.NotFound;

    private static HttpStatusCode AdminOnly(Caller c) =>
        c switch { Caller.Anonymous => HttpStatusCode.Unauthorized, Caller.Admin => HttpStatusCode.OK, _ => HttpStatusCode.Forbidden };

    private static HttpStatusCode NotRouted(Caller _) => HttpStatusCode.NotFound;

    private sealed record Fixtures(Guid ProductId, Guid ShopperId, Guid ShopperAddressId, Guid OtherShopperAddressId, Guid MerchantProductId, Guid MerchantDraftId,
        string MerchantSku, Guid OrderToCancel, Guid OrderToShip, string GuestCartId);

    /// <summary>Merchants (their own) and admins; shoppers are stopped by the policy, other merchants told it does not exist.</summary>
    private static Func<Caller, HttpStatusCode> MerchantResource(HttpStatusCode owner = HttpStatusCode.OK, HttpStatusCode? admin = null) => c => c switch
    {
        Caller.Anonymous => HttpStatusCode.Unauthorized,
        Caller.Shopper or Caller.OtherShopper => HttpStatusCode.Forbidden,
        Caller.Merchant => owner,
        Caller.Admin => admin ?? owner,
        _ => HttpStatusCode.NotFound,
    };

    private static HttpStatusCode MerchantsAndAdmins(Caller c) => c switch
    {
        Caller.Anonymous => HttpStatusCode.Unauthorized,
        Caller.Shopper or Caller.OtherShopper => HttpStatusCode.Forbidden,
        _ => HttpStatusCode.OK,
    };

    /// <summary>The buyer and admins see an order; anyone else is told it does not exist.</summary>
    private static Func<Caller, HttpStatusCode> BuyerOrAdmin(HttpStatusCode buyer = HttpStatusCode.OK, HttpStatusCode? admin = null) => c => c switch
    {
        Caller.Anonymous => HttpStatusCode.Unauthorized,
        Caller.Shopper => buyer,
        Caller.Admin => admin ?? buyer,
        _ => HttpStatusCode.NotFound,
    };

    private static readonly Guid MerchantId = Guid.Parse("5a0f3c1e-0000-4000-8000-000000000001");

    /// <summary>Catalogue writes: merchants (their own) and admins; shoppers 403; anonymous stopped at the gateway.</summary>
    private static Func<Caller, HttpStatusCode> MerchantWrite(HttpStatusCode owner, HttpStatusCode otherMerchant) => c => c switch
    {
        Caller.Anonymous => HttpStatusCode.Unauthorized,
        Caller.Shopper or Caller.OtherShopper => HttpStatusCode.Forbidden,
        Caller.Merchant or Caller.Admin => owner,
        _ => otherMerchant,
    };

    /// <summary>A draft exists only for its merchant and admins.</summary>
    private static HttpStatusCode DraftVisibility(Caller c) => c is Caller.Merchant or Caller.Admin ? HttpStatusCode.OK : HttpStatusCode.NotFound;

    private static readonly object NewAddress = new { recipient = "Matrix", line1 = "1 Grid Rd", city = "Cellville", postalCode = "10001", country = "US" };

    private static IEnumerable<Endpoint> Endpoints(Fixtures f) =>
    [
        new(HttpMethod.Get, "/.well-known/openid-configuration", null, Anyone),
        new(HttpMethod.Get, "/api/catalog/products", null, Anyone),
        new(HttpMethod.Get, $"/api/catalog/products/{f.ProductId}", null, Anyone),
        new(HttpMethod.Get, "/api/search?q=phone", null, Anyone),
        new(HttpMethod.Get, "/api/search/suggest?q=acm", null, Anyone),
        new(HttpMethod.Post, "/api/search/rebuild", null, c => c switch { Caller.Anonymous => HttpStatusCode.Unauthorized, Caller.Admin => HttpStatusCode.Accepted, _ => HttpStatusCode.Forbidden }),
        new(HttpMethod.Get, "/api/search/rebuild", null, AdminOnly),
        new(HttpMethod.Get, "/api/users/me", null, SignedIn),
        new(HttpMethod.Put, "/api/users/me", () => new { }, SignedIn),
        new(HttpMethod.Post, "/api/users/me/addresses", () => NewAddress, c => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.Created),
        new(HttpMethod.Put, $"/api/users/me/addresses/{f.ShopperAddressId}", () => NewAddress, OwnerOnly(Caller.Shopper)),
        new(HttpMethod.Put, $"/api/users/me/addresses/{f.ShopperAddressId}/default-shipping", null, OwnerOnly(Caller.Shopper)),
        // The owner comes after every other caller, so each of them meets an address that still exists.
        new(HttpMethod.Delete, $"/api/users/me/addresses/{f.OtherShopperAddressId}", null, OwnerOnly(Caller.OtherShopper)),
        new(HttpMethod.Get, $"/api/users/{f.ShopperId}", null, AdminOnly),
        new(HttpMethod.Get, $"/internal/users/{f.ShopperId}/contact", null, NotRouted),
        new(HttpMethod.Get, $"/api/catalog/products/{f.MerchantDraftId}", null, DraftVisibility),
        new(HttpMethod.Get, $"/api/catalog/products?merchantId={MerchantId}&includeUnpublished=true", null,
            c => c switch { Caller.Anonymous => HttpStatusCode.Unauthorized, Caller.Merchant or Caller.Admin => HttpStatusCode.OK, _ => HttpStatusCode.Forbidden }),
        new(HttpMethod.Post, "/api/catalog/products", () => CatalogManagementTests.NewProduct("Matrix Product", merchantId: MerchantId),
            MerchantWrite(HttpStatusCode.Created, otherMerchant: HttpStatusCode.Created)),
        // Authorised callers get past ownership and are stopped by the stale version: nothing changes.
        new(HttpMethod.Put, $"/api/catalog/products/{f.MerchantProductId}", () => CatalogManagementTests.NewProduct("Matrix Changed"),
            MerchantWrite(HttpStatusCode.PreconditionFailed, otherMerchant: HttpStatusCode.Forbidden), IfMatch: "\"999\""),
        new(HttpMethod.Delete, $"/api/catalog/products/{f.MerchantProductId}", null,
            MerchantWrite(HttpStatusCode.PreconditionFailed, otherMerchant: HttpStatusCode.Forbidden), IfMatch: "\"999\""),
        // Publishing what is already published changes nothing.
        new(HttpMethod.Post, $"/api/catalog/products/{f.MerchantProductId}/publish", null, MerchantWrite(HttpStatusCode.OK, otherMerchant: HttpStatusCode.Forbidden)),
        new(HttpMethod.Post, $"/api/catalog/products/{f.MerchantDraftId}/unpublish", null, MerchantWrite(HttpStatusCode.OK, otherMerchant: HttpStatusCode.NotFound)),
        new(HttpMethod.Get, "/internal/catalog/products", null, NotRouted),
        new(HttpMethod.Get, $"/api/catalog/products/{f.MerchantProductId}/availability", null, Anyone),
        new(HttpMethod.Get, $"/internal/catalog/skus?sku={f.MerchantSku}", null, NotRouted),
        // Carts: every signed-in account has its own; guest carts are reached by their id alone.
        new(HttpMethod.Get, "/api/cart", null, SignedIn),
        new(HttpMethod.Put, $"/api/cart/items/{f.MerchantSku}", () => new { quantity = 1 }, SignedIn),
        new(HttpMethod.Delete, "/api/cart", null, c => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.NoContent),
        new(HttpMethod.Post, "/api/cart/guest", null, _ => HttpStatusCode.Created),
        new(HttpMethod.Get, $"/api/cart/guest/{f.GuestCartId}", null, Anyone),
        // Orders: placing needs a key (400 for everyone signed in, before anything is stored).
        new(HttpMethod.Post, "/api/orders", () => new { }, c => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.BadRequest),
        new(HttpMethod.Get, "/api/orders", null, SignedIn),
        new(HttpMethod.Get, $"/api/orders/{f.OrderToCancel}", null, BuyerOrAdmin()),
        new(HttpMethod.Get, "/api/orders/summary", null, AdminOnly),
        // The buyer cancels first; the admin then finds it cancelled already.
        new(HttpMethod.Post, $"/api/orders/{f.OrderToCancel}/cancel", () => new { }, BuyerOrAdmin(admin: HttpStatusCode.Conflict)),
        new(HttpMethod.Get, "/api/merchant/orders", null, MerchantsAndAdmins),
        // An admin must name the merchant whose lines ship.
        new(HttpMethod.Post, $"/api/merchant/orders/{f.OrderToShip}/ship", () => new { }, MerchantResource(admin: HttpStatusCode.BadRequest)),
        new(HttpMethod.Get, $"/api/payments/{f.OrderToShip}", null, BuyerOrAdmin()),
        // Stock: merchants their own SKUs, admins all.
        new(HttpMethod.Get, "/api/inventory", null, MerchantsAndAdmins),
        new(HttpMethod.Get, $"/api/inventory/{f.MerchantSku}", null, MerchantResource()),
        new(HttpMethod.Put, $"/api/inventory/{f.MerchantSku}", () => new { onHand = 20 }, MerchantResource()),
        new(HttpMethod.Post, $"/api/inventory/{f.MerchantSku}/adjustments", () => new { delta = 1, reason = "matrix" }, MerchantResource()),
        new(HttpMethod.Get, $"/api/inventory/{f.MerchantSku}/movements", null, MerchantResource()),
        new(HttpMethod.Get, "/api/inventory/consistency", null, AdminOnly),
        new(HttpMethod.Get, "/internal/inventory/stock", null, NotRouted),
        // External warehouse: the sync status for the console, the rest for admins; webhooks authenticate by signature alone.
        new(HttpMethod.Get, "/api/inventory/sync", null, MerchantsAndAdmins),
        new(HttpMethod.Get, "/api/inventory/sync/northwind/reconciliations", null, AdminOnly),
        new(HttpMethod.Get, "/api/inventory/sync/northwind/outbound", null, AdminOnly),
        new(HttpMethod.Post, "/api/inventory/webhooks/northwind", () => new { id = "evt_matrix", type = "stock.delta", items = Array.Empty<object>() }, _ => HttpStatusCode.Unauthorized),
        // Notifications: everyone signed in has their own; the log is the console's.
        new(HttpMethod.Get, "/api/notifications", null, SignedIn),
        new(HttpMethod.Post, "/api/notifications/read-all", null, SignedIn),
        new(HttpMethod.Get, "/api/notifications/log", null, MerchantsAndAdmins),
    ];

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_expected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = fixture.CreateRawClient("gateway");
        var first = (await anonymous.GetFromJsonAsync<JsonElement>("/api/catalog/products?pageSize=1", ct)).GetProperty("items")[0];
        var tokens = new Dictionary<Caller, string>();
        foreach (var (caller, account) in Accounts)
        {
            tokens[caller] = await fixture.TokenAsync(account);
        }

        var shopper = await ProfileAsync(tokens[Caller.Shopper], ct);
        foreach (var caller in Accounts.Keys)
        {
            await ProfileAsync(tokens[caller], ct);
        }
        using var merchant = Client(tokens[Caller.Merchant]);
        using var buyer = Client(tokens[Caller.Shopper]);
        var (_, sku) = await Shop.ProductWithStockAsync(merchant, "Matrix Stocked", units: 10);
        var toCancel = await Shop.PlaceAcceptedAsync(buyer, Shop.Order(sku));
        var toShip = await Shop.PlaceAcceptedAsync(buyer, Shop.Order(sku));
        await Shop.OrderInStatusAsync(buyer, toCancel, "Confirmed");
        await Shop.OrderInStatusAsync(buyer, toShip, "Confirmed");
        using var guestCart = await anonymous.PostAsync("/api/cart/guest", null, ct);
        var fixtures = new Fixtures(
            first.GetProperty("id").GetGuid(),
            shopper.GetProperty("userId").GetGuid(),
            await AddAddressAsync(tokens[Caller.Shopper], ct),
            await AddAddressAsync(tokens[Caller.OtherShopper], ct),
            await CreateProductAsync(tokens[Caller.Merchant], publish: true, ct),
            await CreateProductAsync(tokens[Caller.Merchant], publish: false, ct),
            sku, toCancel, toShip,
            (await guestCart.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("guestCartId").GetString()!);
        var endpoints = Endpoints(fixtures).ToList();

        var violations = new List<string>();
        var cells = 0;
        foreach (var endpoint in endpoints)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var expected = endpoint.Expected(caller);
                var actual = await SendAsync(endpoint, caller, tokens, ct);
                cells++;
                if (actual != expected)
                {
                    violations.Add($"{endpoint.Method} {endpoint.Path} as {caller}: expected {(int)expected}, got {(int)actual}");
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"Authorization matrix: {cells} cells checked");
        Console.WriteLine($"Authorization matrix: {cells} cells checked, {violations.Count} violations");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        Assert.Equal(endpoints.Count * Enum.GetValues<Caller>().Length, cells);
    }

    private HttpClient Client(string? token)
    {
        var client = fixture.CreateRawClient("gateway");
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        return client;
    }

    /// <summary>Profiles appear moments after the accounts are seeded: wait for each before the matrix runs.</summary>
    private async Task<JsonElement> ProfileAsync(string token, CancellationToken ct)
    {
        using var client = Client(token);
        return await MarketplaceAppFixture.ProfileEventuallyAsync(client, ct);
    }

    private async Task<Guid> AddAddressAsync(string token, CancellationToken ct)
    {
        using var client = Client(token);
        using var response = await client.PostAsJsonAsync("/api/users/me/addresses", NewAddress, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
    }

    private async Task<Guid> CreateProductAsync(string token, bool publish, CancellationToken ct)
    {
        using var client = Client(token);
        using var response = await client.PostAsJsonAsync("/api/catalog/products", CatalogManagementTests.NewProduct("Matrix Fixture"), ct);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        if (publish)
        {
            using var published = await client.PostAsync($"/api/catalog/products/{id}/publish", null, ct);
            published.EnsureSuccessStatusCode();
        }
        return id;
    }

    private async Task<HttpStatusCode> SendAsync(Endpoint endpoint, Caller caller, Dictionary<Caller, string> tokens, CancellationToken ct)
    {
        using var client = Client(tokens.GetValueOrDefault(caller));
        using var request = new HttpRequestMessage(endpoint.Method, endpoint.Path);
        if (endpoint.Body is not null)
        {
            request.Content = JsonContent.Create(endpoint.Body());
        }
        if (endpoint.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", endpoint.IfMatch);
        }
        using var response = await client.SendAsync(request, ct);
        return response.StatusCode;
    }
}
