using System.Diagnostics.Metrics;

namespace Marketplace.Inventory.Stock;

/// <summary>Inventory's own metrics (ServiceDefaults exports every <c>Marketplace.*</c> meter).</summary>
public static class InventoryTelemetry
{
    private static readonly Meter Meter = new("Marketplace.Inventory");

    /// <summary>Webhooks refused before they were read (bad or missing signature, stale, malformed), tagged with the system.</summary>
    public static readonly Counter<long> RejectedWebhooks = Meter.CreateCounter<long>("marketplace.inventory.webhooks_rejected");

    /// <summary>How many holds of one SKU one transaction granted or refused together (a hot SKU's lane batches them).</summary>
    public static readonly Histogram<int> HoldBatchSize = Meter.CreateHistogram<int>("marketplace.inventory.hold_batch_size", unit: "{hold}");
}
