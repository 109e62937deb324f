using Marketplace.Inventory.Data;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Inventory.Stock;

/// <summary>One order's hold of one SKU, waiting in the SKU's lane.</summary>
/// <param name="Reply">Whether to stage StockReserved/StockReservationFailed for the saga (not when the caller takes the answer).</param>
public sealed record HoldRequest(Guid OrderId, int Quantity, DateTimeOffset HoldUntil, string Actor, bool Reply);

/// <summary>
/// A hot SKU is a queue, not a lock fight: holds of one SKU wait in that SKU's lane, and one worker per lane
/// takes everything waiting and grants it in one transaction (<see cref="StockBook.ReserveBatchAsync"/>), so the
/// SKU's rows are written once per batch instead of once per order. While a batch commits the next one gathers,
/// so the busier the SKU the bigger the batches. Each caller still gets its own answer. Lanes of different SKUs
/// run side by side; on several replicas each has its own lanes, and the SKU's row lock orders their batches.
/// </summary>
public sealed class HoldLanes(IServiceScopeFactory scopes, ILogger<HoldLanes> logger)
{
    /// <summary>At most this many holds in one transaction (the rest wait for the next).</summary>
    public const int MaxBatch = 500;

    private sealed record Waiting(HoldRequest Request, TaskCompletionSource<ReserveOutcome> Answer);

    private sealed class Lane
    {
        public readonly Queue<Waiting> Queue = new();
        public bool Draining;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Queues the hold in its SKU's lane and waits for its answer (the hold is decided even if the caller stops waiting).</summary>
    public Task<ReserveOutcome> HoldAsync(string sku, HoldRequest request, CancellationToken ct)
    {
        var waiting = new Waiting(request, new TaskCompletionSource<ReserveOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        var lane = _lanes.GetOrAdd(sku, _ => new Lane());
        bool start;
        lock (lane)
        {
            lane.Queue.Enqueue(waiting);
            start = !lane.Draining;
            lane.Draining = true;
        }
        if (start)
        {
            _ = Task.Run(() => DrainAsync(sku, lane), CancellationToken.None);
        }
        return waiting.Answer.Task.WaitAsync(ct);
    }

    private async Task DrainAsync(string sku, Lane lane)
    {
        while (true)
        {
            List<Waiting> batch;
            lock (lane)
            {
                if (lane.Queue.Count == 0)
                {
                    lane.Draining = false;
                    return;
                }
                batch = new List<Waiting>(Math.Min(lane.Queue.Count, MaxBatch));
                while (batch.Count < MaxBatch && lane.Queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }
            }
            try
            {
                var outcomes = await GrantAsync(sku, [.. batch.Select(w => w.Request)]);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(outcomes[i]);
                }
            }
            catch (Exception e) when (batch.Count > 1)
            {
                // One bad request must not fail the others: each is tried on its own.
                logger.LogWarning(e, "A batch of {Count} holds of {Sku} failed; trying them one by one", batch.Count, sku);
                foreach (var waiting in batch)
                {
                    try
                    {
                        waiting.Answer.TrySetResult((await GrantAsync(sku, [waiting.Request]))[0]);
                    }
                    catch (Exception single)
                    {
                        waiting.Answer.TrySetException(single);
                    }
                }
            }
            catch (Exception e)
            {
                batch[0].Answer.TrySetException(e);
            }
        }
    }

    private async Task<IReadOnlyList<ReserveOutcome>> GrantAsync(string sku, IReadOnlyList<HoldRequest> requests)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        var book = scope.ServiceProvider.GetRequiredService<StockBook>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync();
            var outcomes = await book.ReserveBatchAsync(sku, requests, CancellationToken.None);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            InventoryTelemetry.HoldBatchSize.Record(requests.Count);
            return outcomes;
        });
    }
}
