using Marketplace.Search.Index;
using Marketplace.Shared.Contracts;
using MassTransit;

namespace Marketplace.Search.Messaging;

/// <summary>
/// Keeps the index in step with the catalogue. Idempotent without an inbox: the index keeps each
/// product's version (removed products as tombstones) and ignores an event that is not newer, so
/// redeliveries and late events change nothing.
/// </summary>
public sealed class CatalogEventsConsumer(ISearchIndex index, ILogger<CatalogEventsConsumer> logger) :
    IConsumer<ProductPublished>, IConsumer<ProductUpdated>, IConsumer<ProductUnpublished>, IConsumer<ProductDeleted>
{
    public Task Consume(ConsumeContext<ProductPublished> context) => ApplyAsync(SearchDocument.From(context.Message.Product), context.CancellationToken);

    public Task Consume(ConsumeContext<ProductUpdated> context) => ApplyAsync(SearchDocument.From(context.Message.Product), context.CancellationToken);

    public Task Consume(ConsumeContext<ProductUnpublished> context) =>
        ApplyAsync(SearchDocument.Tombstone(context.Message.ProductId, context.Message.Version), context.CancellationToken);

    public Task Consume(ConsumeContext<ProductDeleted> context) =>
        ApplyAsync(SearchDocument.Tombstone(context.Message.ProductId, context.Message.Version), context.CancellationToken);

    private async Task ApplyAsync(SearchDocument document, CancellationToken ct)
    {
        if (!await index.UpsertAsync(document, ct))
        {
            logger.LogDebug("Product {ProductId} version {Version} is not newer than the index; ignored", document.ProductId, document.Version);
        }
    }
}
