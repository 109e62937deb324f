using Marketplace.Catalog.Contracts;
using Marketplace.Shared.Contracts;

namespace Marketplace.Catalog.Domain;

/// <summary>A product document: one merchant's item with its variants and free-form typed attributes.</summary>
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
    public List<ProductAttribute> Attributes { get; set; } = [];
    public bool IsPublished { get; set; }
    /// <summary>1 when created, one more with every change; the ETag, and the order of the events.</summary>
    public long Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public IEnumerable<string> Skus => Variants.Select(v => v.Sku);

    public ProductSnapshot ToSnapshot() => new(
        Id, Version, MerchantId, Title, Description, Brand, Category, Price, Currency, ImageUrls.ToList(),
        Variants.Select(v => new VariantSnapshot(v.Sku, new Dictionary<string, string>(v.Options), v.PriceOverride)).ToList(),
        Attributes.Select(a => new AttributeSnapshot(a.Name, a.Type, a.Value, a.Unit)).ToList(),
        CreatedAt, UpdatedAt);
}

public sealed class ProductVariant
{
    /// <summary>Unique across the whole catalogue: Inventory keeps stock by SKU.</summary>
    public string Sku { get; set; } = "";
    /// <summary>What tells this variant apart, e.g. <c>size: M</c>, <c>colour: Blue</c>.</summary>
    public Dictionary<string, string> Options { get; set; } = [];
    public decimal? PriceOverride { get; set; }
}

/// <summary>A free-form attribute with a type, so it can be filtered and shown properly.</summary>
public sealed class ProductAttribute
{
    public const string Text = ProductRules.TextAttribute;
    public const string Number = ProductRules.NumberAttribute;
    public const string Boolean = ProductRules.BooleanAttribute;
    public static readonly string[] Types = [.. ProductRules.AttributeTypes];

    public string Name { get; set; } = "";
    public string Type { get; set; } = Text;
    /// <summary>Invariant text: <c>6.1</c>, <c>true</c>, <c>cotton</c>.</summary>
    public string Value { get; set; } = "";
    public string? Unit { get; set; }
}

public sealed record ProductQuery(string? Category = null, Guid? MerchantId = null, bool PublishedOnly = true, int Page = 1, int PageSize = 24);

public sealed record ProductPage(IReadOnlyList<Product> Items, long Total, int Page, int PageSize);
