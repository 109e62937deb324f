namespace Marketplace.Web.Services;

// Products as the catalogue API gives and takes them. The gateway's public API as the web app reads it (JSON with web defaults).

public sealed record Product(
    Guid Id, Guid MerchantId, string Title, string Description, string Brand, string Category, decimal Price, string Currency,
    List<string> ImageUrls, List<ProductVariant> Variants, List<ProductAttribute> Attributes, bool IsPublished, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ProductVariant(string Sku, Dictionary<string, string> Options, decimal? PriceOverride);

public sealed record ProductAttribute(string Name, string Type, string Value, string? Unit);

public sealed record ProductPage(List<Product> Items, long Total, int Page, int PageSize);

public sealed record VariantAvailability(string Sku, int Available, bool InStock);

public sealed record ProductAvailability(Guid ProductId, bool InStock, List<VariantAvailability> Variants);

public sealed record ProductRequest(
    Guid? MerchantId, string Title, string? Description, string Brand, string Category, decimal Price, string Currency,
    List<string> ImageUrls, List<VariantRequest> Variants, List<AttributeRequest> Attributes);

public sealed record VariantRequest(string Sku, Dictionary<string, string> Options, decimal? PriceOverride);

public sealed record AttributeRequest(string Name, string Type, string Value, string? Unit);

/// <summary>A product as read with the version (ETag) that a change must name in If-Match.</summary>
public sealed record VersionedProduct(Product Product, string ETag);
