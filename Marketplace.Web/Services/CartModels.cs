namespace Marketplace.Web.Services;

// The shopper's cart. The gateway's public API as the web app reads it (JSON with web defaults).

public sealed record CartLine(
    string Sku, Guid ProductId, Guid MerchantId, string Title, int Quantity, decimal UnitPrice, decimal UnitPriceWhenAdded,
    bool PriceChanged, bool OnSale, decimal LineTotal);

public sealed record Cart(string? GuestCartId, List<CartLine> Lines, decimal Subtotal, string Currency, int ItemCount, bool PricesCurrent)
{
    public static readonly Cart Empty = new(null, [], 0, "USD", 0, true);
}
