using Microsoft.Extensions.Options;

namespace Marketplace.Warehouse;

/// <summary>Sends a snapshot of every SKU each <c>Warehouse:SnapshotInterval</c> (zero: never).</summary>
public sealed class SnapshotSchedule(StockBook book, WebhookDispatcher webhooks, IOptions<WarehouseOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SnapshotInterval;
        if (interval <= TimeSpan.Zero || !webhooks.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                book.PublishSnapshot();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
