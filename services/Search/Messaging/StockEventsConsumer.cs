using Marketplace.Search.Index;
using Marketplace.Shared.Contracts;
using MassTransit;

namespace Marketplace.Search.Messaging;

/// <summary>
/// Keeps "in stock" in step with Inventory. Idempotent without an inbox: the index keeps each SKU's stock
/// version and ignores an event that is not newer.
/// </summary>
public sealed class StockEventsConsumer(ISearchIndex index, ILogger<StockEventsConsumer> logger) : IConsumer<StockChanged>
{
    public async Task Consume(ConsumeContext<StockChanged> context)
    {
        var m = context.Message;
        if (!await index.ApplyStockAsync(new StockDocument(m.Sku, m.ProductId, m.Available, m.Version), context.CancellationToken))
        {
            logger.LogDebug("Stock of {Sku} version {Version} is not newer than the index; ignored", m.Sku, m.Version);
        }
    }
}
