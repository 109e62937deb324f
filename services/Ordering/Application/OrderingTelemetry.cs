using System.Diagnostics.Metrics;

namespace Marketplace.Ordering.Application;

/// <summary>The order counts Ordering reports (placed, confirmed, cancelled).</summary>
internal static class OrderingTelemetry
{
    private static readonly Meter Meter = new("Marketplace.Ordering");
    public static readonly Counter<long> OrdersPlaced = Meter.CreateCounter<long>("marketplace.orders.placed");
    public static readonly Counter<long> OrdersConfirmed = Meter.CreateCounter<long>("marketplace.orders.confirmed");
    public static readonly Counter<long> OrdersCancelled = Meter.CreateCounter<long>("marketplace.orders.cancelled");
}
