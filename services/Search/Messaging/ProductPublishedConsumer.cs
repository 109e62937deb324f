using Marketplace.Search.Index;
using Marketplace.Shared.Contracts;
using MassTransit;

namespace Marketplace.Search.Messaging;

/// <summary>
/// Keeps the index in step with the catalogue. Idempotent without an inbox: the index keeps each
/// product's version and ignores an event that is not newer, so redeliveries and late events change nothing.
/// </summary>
public sealed class ProductPublishedConsumer(ISearchIndex index, ILogger<ProductPublishedConsumer> logger) : IConsumer<ProductPublished>
{
    public async Task Consume(ConsumeContext<ProductPublished> context)
    {
        var e = context.Message;
        var applied = await index.UpsertAsync(
            new SearchDocument(e.ProductId, e.Version, e.MerchantId, e.Title, e.Description, e.Brand, e.Category, e.Price, e.Currency),
            context.CancellationToken);
        if (!applied)
        {
            logger.LogDebug("Product {ProductId} version {Version} is not newer than the index; ignored", e.ProductId, e.Version);
        }
    }
}
