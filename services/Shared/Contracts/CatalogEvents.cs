namespace Marketplace.Shared.Contracts;

/// <summary>A product became visible in the storefront, or changed while visible.</summary>
/// <param name="Version">Monotonic per product; consumers ignore an event older than what they hold.</param>
public sealed record ProductPublished(
    Guid ProductId,
    long Version,
    Guid MerchantId,
    string Title,
    string Description,
    string Brand,
    string Category,
    decimal Price,
    string Currency,
    DateTimeOffset OccurredAt) : IIntegrationEvent;
