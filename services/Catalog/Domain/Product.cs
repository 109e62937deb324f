namespace Marketplace.Catalog.Domain;

/// <summary>A product document: one merchant's item with its variants and free-form attributes.</summary>
public sealed class Product
{
    public Guid Id { get; set; }
    public Guid MerchantId { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string Brand { get; set; } = "";
    /// <summary>Slash-separated path from the root category, e.g. <c>Electronics/Phones</c>.</summary>
    public string Category { get; set; } = "";
    public decimal Price { get; set; }
    public string Currency { get; set; } = "USD";
    public List<string> ImageUrls { get; set; } = [];
    public List<ProductVariant> Variants { get; set; } = [];
    public Dictionary<string, string> Attributes { get; set; } = [];
    public bool IsPublished { get; set; }
    /// <summary>Increments on every change; events carry it so consumers apply changes in order.</summary>
    public long Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ProductVariant
{
    public string Sku { get; set; } = "";
    public Dictionary<string, string> Options { get; set; } = [];
    public decimal? PriceOverride { get; set; }
}

public sealed record ProductQuery(string? Category = null, Guid? MerchantId = null, bool PublishedOnly = true, int Page = 1, int PageSize = 24);

public sealed record ProductPage(IReadOnlyList<Product> Items, long Total, int Page, int PageSize);
