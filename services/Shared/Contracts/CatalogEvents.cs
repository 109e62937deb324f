namespace Marketplace.Shared.Contracts;

/// <summary>A product as the other services see it: what the storefront shows, at one version.</summary>
public sealed record ProductSnapshot(
    Guid ProductId,
    long Version,
    Guid MerchantId,
    string Title,
    string Description,
    string Brand,
    string Category,
    decimal Price,
    string Currency,
    IReadOnlyList<string> ImageUrls,
    IReadOnlyList<VariantSnapshot> Variants,
    IReadOnlyList<AttributeSnapshot> Attributes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record VariantSnapshot(string Sku, IReadOnlyDictionary<string, string> Options, decimal? PriceOverride);

/// <summary>A typed attribute: <see cref="Type"/> is <c>text</c>, <c>number</c> or <c>boolean</c>; <see cref="Value"/> is its invariant text.</summary>
public sealed record AttributeSnapshot(string Name, string Type, string Value, string? Unit);

// Every catalogue event carries the product's version: it grows by one with each change, and a
// consumer ignores an event whose version is not newer than what it holds.

/// <summary>A product became visible in the storefront.</summary>
public sealed record ProductPublished(ProductSnapshot Product, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A visible product changed.</summary>
public sealed record ProductUpdated(ProductSnapshot Product, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A product left the storefront (it still exists as the merchant's draft).</summary>
public sealed record ProductUnpublished(Guid ProductId, long Version, Guid MerchantId, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>A product is gone for good.</summary>
public sealed record ProductDeleted(Guid ProductId, long Version, Guid MerchantId, IReadOnlyList<string> Skus, DateTimeOffset OccurredAt) : IIntegrationEvent;
