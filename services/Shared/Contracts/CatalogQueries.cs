namespace Marketplace.Shared.Contracts;

/// <summary>
/// What a SKU is sold as, from Catalog's internal <c>GET /internal/catalog/skus?sku=…</c>: its product,
/// merchant and current unit price (the variant's override, else the product's).
/// </summary>
public sealed record SkuInfo(string Sku, Guid ProductId, Guid MerchantId, string Title, decimal UnitPrice, string Currency, bool IsPublished, long ProductVersion);
