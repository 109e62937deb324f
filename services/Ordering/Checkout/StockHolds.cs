using System.Net.Http.Json;
using Marketplace.Shared.Contracts;

namespace Marketplace.Ordering.Checkout;

/// <summary>
/// Takes an order's hold at Inventory while the buyer waits (with Ordering's own service token), all lines or none.
/// The hold is keyed by the order's id, so asking again — a retry, a second request with the same
/// Idempotency-Key — answers as the first did and never holds twice.
/// </summary>
public sealed class StockHolds(HttpClient http, SoldOutMemory soldOut, ILogger<StockHolds> logger)
{
    /// <summary>Inventory's "sold out" for these lines from a moment ago (<see cref="SoldOutMemory"/>), or null when it has to be asked.</summary>
    public ReserveOutcome? Recall(IReadOnlyCollection<StockLine> lines) => soldOut.Recall(lines);

    /// <summary>Inventory's answer to the hold, or null when it could not give one in time (the caller falls back to the saga).</summary>
    public async Task<ReserveOutcome?> AskInventoryAsync(Guid orderId, IReadOnlyCollection<StockLine> lines, TimeSpan hold, CancellationToken ct)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/internal/inventory/reservations",
                new { orderId, lines, holdSeconds = (int)Math.Ceiling(hold.TotalSeconds), reply = false }, ct);
            if (response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadFromJsonAsync<ReserveOutcome>(ct);
                if (answer is not null)
                {
                    soldOut.Learn(lines, answer);
                }
                return answer;
            }
            logger.LogWarning("Inventory answered a hold for order {OrderId} with {Status}", orderId, (int)response.StatusCode);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException
                                      or Polly.CircuitBreaker.BrokenCircuitException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Inventory could not hold stock for order {OrderId} in time", orderId);
            return null;
        }
    }
}
