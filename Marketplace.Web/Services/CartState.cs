namespace Marketplace.Web.Services;

/// <summary>
/// The shopper's cart for this circuit: the cart page, the product page and the app bar's badge share it, so a
/// change in one shows in the others at once. The API is the truth; every change answers the cart as it now is.
/// </summary>
public sealed class CartState(ICartApi api)
{
    public const int MaxQuantity = 100;

    public Cart? Cart { get; private set; }

    public event Action? Changed;

    public int ItemCount => Cart?.ItemCount ?? 0;

    public async Task<Cart> LoadAsync(CancellationToken ct = default) => Set(await api.GetAsync(ct));

    /// <summary>Adds units of a SKU to what the cart already holds (capped at <see cref="MaxQuantity"/>).</summary>
    public async Task<Cart> AddAsync(string sku, int quantity, CancellationToken ct = default)
    {
        var current = Cart ?? await api.GetAsync(ct);
        var existing = current.Lines.FirstOrDefault(l => l.Sku == sku)?.Quantity ?? 0;
        return Set(await api.SetQuantityAsync(sku, Math.Min(MaxQuantity, existing + quantity), ct));
    }

    public async Task<Cart> SetQuantityAsync(string sku, int quantity, CancellationToken ct = default) =>
        Set(await api.SetQuantityAsync(sku, Math.Clamp(quantity, 0, MaxQuantity), ct));

    public async Task<Cart> RemoveAsync(string sku, CancellationToken ct = default) => Set(await api.RemoveAsync(sku, ct));

    /// <summary>After an order: what it took has left the cart on the server.</summary>
    public Task<Cart> RefreshAsync(CancellationToken ct = default) => LoadAsync(ct);

    private Cart Set(Cart cart)
    {
        Cart = cart;
        Changed?.Invoke();
        return cart;
    }
}
