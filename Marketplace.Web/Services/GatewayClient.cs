using System.Net.Http.Headers;
using System.Net.Http.Json;
using Marketplace.Web.Authentication;

namespace Marketplace.Web.Services;

/// <summary>
/// A typed client of the Gateway's public API. Calls that act for the user carry the signed-in user's access
/// token; a failure becomes an <see cref="ApiException"/> in plain words.
/// </summary>
public abstract class GatewayClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null)
{
    protected HttpClient Http => http;

    protected Task<T> GetAsync<T>(string path, bool signedIn, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Get, path, body: null, signedIn, configure: null, ct);

    protected async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool signedIn, Action<HttpRequestMessage>? configure, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, signedIn, configure, ct);
        return await response.Content.ReadFromJsonAsync<T>(ct) ?? throw new ApiException(response.StatusCode, "The shop answered with nothing. Please try again.", new Dictionary<string, string[]>());
    }

    protected async Task SendAsync(HttpMethod method, string path, object? body, bool signedIn, Action<HttpRequestMessage>? configure, CancellationToken ct)
    {
        using var _ = await SendRawAsync(method, path, body, signedIn, configure, ct);
    }

    /// <summary>The successful response (the caller disposes it); anything else is thrown as an <see cref="ApiException"/>.</summary>
    protected async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, bool signedIn, Action<HttpRequestMessage>? configure, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }
        if (signedIn)
        {
            var token = await tokens.GetAccessTokenAsync(ct)
                ?? throw new ApiException(System.Net.HttpStatusCode.Unauthorized, ApiProblems.SessionEnded, new Dictionary<string, string[]>());
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        configure?.Invoke(request);
        visitor?.Stamp(request);
        var response = await http.SendAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await ApiProblems.ReadAsync(response, ct);
        }
    }

    internal static string Query(params (string Name, object? Value)[] parameters) =>
        string.Join('&', parameters
            .Where(p => p.Value is not null && !(p.Value is string s && string.IsNullOrWhiteSpace(s)))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(QueryValue(p.Value!))}"));

    internal static string QueryValue(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

public sealed class CatalogClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    public Task<ProductPage> GetProductsAsync(string? category, int page, int pageSize, CancellationToken ct, Guid? merchantId = null, bool includeUnpublished = false) =>
        GetAsync<ProductPage>("/api/catalog/products?" + Query(("category", category), ("merchantId", merchantId),
            ("includeUnpublished", includeUnpublished ? true : null), ("page", page), ("pageSize", pageSize)), signedIn: includeUnpublished, ct);

    /// <summary>A product with its ETag; drafts only to their merchant (and admins), so the user's token goes along when <paramref name="signedIn"/>.</summary>
    public async Task<VersionedProduct> GetProductAsync(Guid id, bool signedIn, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"/api/catalog/products/{id}", null, signedIn, null, ct);
        return await VersionedAsync(response, ct);
    }

    public Task<ProductAvailability> GetAvailabilityAsync(Guid id, CancellationToken ct) =>
        GetAsync<ProductAvailability>($"/api/catalog/products/{id}/availability", signedIn: false, ct);

    public async Task<VersionedProduct> CreateAsync(ProductRequest product, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "/api/catalog/products", product, signedIn: true, null, ct);
        return await VersionedAsync(response, ct);
    }

    public async Task<VersionedProduct> UpdateAsync(Guid id, ProductRequest product, string etag, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Put, $"/api/catalog/products/{id}", product, signedIn: true, IfMatch(etag), ct);
        return await VersionedAsync(response, ct);
    }

    public async Task<VersionedProduct> SetPublishedAsync(Guid id, bool publish, CancellationToken ct)
    {
        using var response = await SendRawAsync(HttpMethod.Post, $"/api/catalog/products/{id}/{(publish ? "publish" : "unpublish")}", null, signedIn: true, null, ct);
        return await VersionedAsync(response, ct);
    }

    public Task DeleteAsync(Guid id, string etag, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"/api/catalog/products/{id}", null, signedIn: true, IfMatch(etag), ct);

    private static Action<HttpRequestMessage> IfMatch(string etag) => request => request.Headers.TryAddWithoutValidation("If-Match", etag);

    private static async Task<VersionedProduct> VersionedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var product = await response.Content.ReadFromJsonAsync<Product>(ct)
            ?? throw new ApiException(response.StatusCode, "The shop answered with nothing. Please try again.", new Dictionary<string, string[]>());
        return new VersionedProduct(product, response.Headers.ETag?.ToString() ?? $"\"{product.Version}\"");
    }
}

public sealed class SearchClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    public const int PageSize = 24;

    public Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct, int pageSize = PageSize) =>
        GetAsync<SearchResult>("/api/search?" + query.ToApiQuery(pageSize), signedIn: false, ct);

    public async Task<IReadOnlyList<string>> SuggestAsync(string text, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(text) || text.Length > 100
            ? []
            : await GetAsync<List<string>>("/api/search/suggest?" + Query(("q", text.Trim()), ("limit", 8)), signedIn: false, ct);
}

/// <summary>The signed-in shopper's cart, as the cart components use it.</summary>
public interface ICartApi
{
    Task<Cart> GetAsync(CancellationToken ct);

    /// <summary>Sets the line's quantity (0 removes it) and answers the cart as it now is.</summary>
    Task<Cart> SetQuantityAsync(string sku, int quantity, CancellationToken ct);

    Task<Cart> RemoveAsync(string sku, CancellationToken ct);
}

public sealed class CartClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor), ICartApi
{
    public Task<Cart> GetAsync(CancellationToken ct) => GetAsync<Cart>("/api/cart", signedIn: true, ct);

    public Task<Cart> SetQuantityAsync(string sku, int quantity, CancellationToken ct) =>
        SendAsync<Cart>(HttpMethod.Put, $"/api/cart/items/{Uri.EscapeDataString(sku)}", new { quantity }, signedIn: true, null, ct);

    public Task<Cart> RemoveAsync(string sku, CancellationToken ct) =>
        SendAsync<Cart>(HttpMethod.Delete, $"/api/cart/items/{Uri.EscapeDataString(sku)}", null, signedIn: true, null, ct);
}

/// <summary>
/// A visitor's cart before signing in: reached by the id the API gave it (128 random bits, the only key), no token.
/// At sign-in its lines are merged into the shopper's cart.
/// </summary>
public sealed class GuestCartClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    public Task<Cart> CreateAsync(CancellationToken ct) => SendAsync<Cart>(HttpMethod.Post, "/api/cart/guest", null, signedIn: false, null, ct);

    public Task<Cart> GetAsync(string cartId, CancellationToken ct) => GetAsync<Cart>($"/api/cart/guest/{Uri.EscapeDataString(cartId)}", signedIn: false, ct);

    public Task<Cart> SetQuantityAsync(string cartId, string sku, int quantity, CancellationToken ct) =>
        SendAsync<Cart>(HttpMethod.Put, $"/api/cart/guest/{Uri.EscapeDataString(cartId)}/items/{Uri.EscapeDataString(sku)}", new { quantity }, signedIn: false, null, ct);

    public Task<Cart> RemoveAsync(string cartId, string sku, CancellationToken ct) =>
        SendAsync<Cart>(HttpMethod.Delete, $"/api/cart/guest/{Uri.EscapeDataString(cartId)}/items/{Uri.EscapeDataString(sku)}", null, signedIn: false, null, ct);

    /// <summary>Adds the guest cart's lines to the signed-in shopper's (quantities add up; merging twice adds once).</summary>
    public Task<Cart> MergeIntoMineAsync(string cartId, CancellationToken ct) =>
        SendAsync<Cart>(HttpMethod.Post, "/api/cart/merge", new { guestCartId = cartId }, signedIn: true, null, ct);
}

public sealed class OrdersClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    /// <summary>Places the order under the attempt's key: a retry with the same key and body gets the first answer, never a second order.</summary>
    public Task<Order> PlaceAsync(PlaceOrderRequest order, string idempotencyKey, CancellationToken ct) =>
        SendAsync<Order>(HttpMethod.Post, "/api/orders", order, signedIn: true, r => r.Headers.Add("Idempotency-Key", idempotencyKey), ct);

    public Task<OrderPage> ListAsync(int page, int pageSize, CancellationToken ct) =>
        GetAsync<OrderPage>("/api/orders?" + Query(("page", page), ("pageSize", pageSize)), signedIn: true, ct);

    public Task<Order> GetAsync(Guid id, CancellationToken ct) => GetAsync<Order>($"/api/orders/{id}", signedIn: true, ct);

    public Task<Order> CancelAsync(Guid id, string? reason, CancellationToken ct) =>
        SendAsync<Order>(HttpMethod.Post, $"/api/orders/{id}/cancel", new { reason }, signedIn: true, null, ct);
}

public sealed class NotificationsClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    public Task<NotificationPage> ListAsync(bool unreadOnly, int page, int pageSize, CancellationToken ct) =>
        GetAsync<NotificationPage>("/api/notifications?" + Query(("unreadOnly", unreadOnly ? true : null), ("page", page), ("pageSize", pageSize)), signedIn: true, ct);

    public Task MarkReadAsync(Guid id, CancellationToken ct) => SendAsync(HttpMethod.Post, $"/api/notifications/{id}/read", null, signedIn: true, null, ct);

    public Task MarkAllReadAsync(CancellationToken ct) => SendAsync(HttpMethod.Post, "/api/notifications/read-all", null, signedIn: true, null, ct);
}

public sealed class UsersClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    public Task<Profile> GetMeAsync(CancellationToken ct) => GetAsync<Profile>("/api/users/me", signedIn: true, ct);
}

/// <summary>The merchant console's calls: fulfilment, stock, sync and the notification log.</summary>
public sealed class MerchantClient(HttpClient http, IAccessTokens tokens, Visitor? visitor = null) : GatewayClient(http, tokens, visitor)
{
    public Task<MerchantOrderPage> OrdersAsync(string? status, int page, int pageSize, CancellationToken ct) =>
        GetAsync<MerchantOrderPage>("/api/merchant/orders?" + Query(("status", status), ("page", page), ("pageSize", pageSize)), signedIn: true, ct);

    /// <summary>Ships the merchant's lines of the order; an admin names the merchant whose lines ship.</summary>
    public Task<Order> ShipAsync(Guid orderId, string? trackingNumber, Guid? merchantId, CancellationToken ct) =>
        SendAsync<Order>(HttpMethod.Post, $"/api/merchant/orders/{orderId}/ship", new { trackingNumber, merchantId }, signedIn: true, null, ct);

    public Task<OrderSummary> SummaryAsync(CancellationToken ct) => GetAsync<OrderSummary>("/api/orders/summary", signedIn: true, ct);

    public Task<StockPage> StockAsync(bool lowStockOnly, int page, int pageSize, CancellationToken ct) =>
        GetAsync<StockPage>("/api/inventory?" + Query(("lowStockOnly", lowStockOnly ? true : null), ("page", page), ("pageSize", pageSize)), signedIn: true, ct);

    public Task<StockItem> StockOfAsync(string sku, CancellationToken ct) => GetAsync<StockItem>($"/api/inventory/{Uri.EscapeDataString(sku)}", signedIn: true, ct);

    /// <summary>Records a count (<paramref name="onHand"/>) and/or the low-stock threshold.</summary>
    public Task<StockItem> SetStockAsync(string sku, int? onHand, int? lowStockThreshold, string? reason, CancellationToken ct) =>
        SendAsync<StockItem>(HttpMethod.Put, $"/api/inventory/{Uri.EscapeDataString(sku)}", new { onHand, lowStockThreshold, reason }, signedIn: true, null, ct);

    public Task<StockItem> AdjustStockAsync(string sku, int delta, string reason, CancellationToken ct) =>
        SendAsync<StockItem>(HttpMethod.Post, $"/api/inventory/{Uri.EscapeDataString(sku)}/adjustments", new { delta, reason }, signedIn: true, null, ct);

    public Task<List<SyncStatus>> SyncStatusAsync(CancellationToken ct) => GetAsync<List<SyncStatus>>("/api/inventory/sync", signedIn: true, ct);

    public Task<NotificationLogPage> NotificationLogAsync(int page, int pageSize, CancellationToken ct) =>
        GetAsync<NotificationLogPage>("/api/notifications/log?" + Query(("page", page), ("pageSize", pageSize)), signedIn: true, ct);
}
