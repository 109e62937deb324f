namespace Marketplace.Shared.Contracts;

/// <summary>
/// Inventory's answer to a hold (<c>POST /internal/inventory/reservations</c>): held until a time, or refused with
/// the SKUs that were short.
/// </summary>
/// <param name="Left">For a refusal: the units still available of each SKU that was short.</param>
public sealed record ReserveOutcome(bool Reserved, string? Reason = null, IReadOnlyList<string>? Skus = null, DateTimeOffset? HoldUntil = null,
    IReadOnlyDictionary<string, int>? Left = null);
