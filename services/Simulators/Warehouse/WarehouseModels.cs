using System.Text.Json;

namespace Marketplace.Warehouse;

/// <summary>The wire format of <c>/api</c> and of webhooks: camelCase JSON, nulls written out.</summary>
public static class WarehouseJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

public static class EventTypes
{
    public const string Delta = "stock.delta";
    public const string Snapshot = "stock.snapshot";
}

/// <summary>One SKU in the warehouse's book: physical units, the units its own reservations hold, and a version raised by every change.</summary>
public sealed record StockItem(string Sku, int OnHand, int Reserved, long Version, DateTimeOffset UpdatedAt);

/// <param name="Delta">Units added (positive) or removed (negative); not zero.</param>
/// <param name="Reason">Free text kept with the call (optional).</param>
public sealed record AdjustmentRequest(string? Sku, int? Delta, string? Reason);

/// <param name="Reference">Ours, e.g. the order: required.</param>
/// <param name="ReservationId">When given, the units come out of that reservation's hold.</param>
public sealed record CommitRequest(string? Sku, int? Quantity, string? Reference, string? ReservationId);

public sealed record ReservationRequest(string? ReservationId, string? Sku, int? Quantity);

/// <summary>The answer to an adjustment or a commit: the SKU's level right after it.</summary>
public sealed record StockChange(string Sku, int OnHand, int Reserved, long Version, bool Applied);

public static class ReservationStatus
{
    public const string Held = "held";
    public const string Committed = "committed";
    public const string Released = "released";
}

/// <param name="Quantity">Units reserved at the start.</param>
/// <param name="Held">Units still held: less after a partial commit, 0 once committed or released.</param>
public sealed record ReservationView(string ReservationId, string Sku, int Quantity, int Held, string Status, DateTimeOffset CreatedAt);

/// <summary>A level as counted in the warehouse (<c>/sim/stock</c>, <c>/sim/drift</c>).</summary>
public sealed record CountRequest(int? OnHand);

/// <summary>A webhook's body.</summary>
public sealed record WarehouseEvent(string Id, string Type, string System, DateTimeOffset OccurredAt, IReadOnlyList<EventItem> Items);

/// <param name="Delta">The change of on-hand units this event reports; null in a snapshot.</param>
public sealed record EventItem(string Sku, int OnHand, int? Delta, long Version, DateTimeOffset UpdatedAt);

public static class RequestKinds
{
    public const string Adjustment = "adjustment";
    public const string Commit = "commit";
    public const string Reservation = "reservation";
    public const string Release = "release";
}

/// <summary>
/// One call we made, as the warehouse saw it: every request with the same idempotency key (for
/// reservations and releases, the reservation id) counts in <see cref="TimesReceived"/>.
/// </summary>
/// <param name="Applied">Whether the call changed the book (a replay changes nothing more).</param>
/// <param name="Status">The status code of the first answer.</param>
public sealed record RequestLogEntry(
    string IdempotencyKey, string Kind, string Sku, int? Quantity, int? Delta, string? Reference, string? ReservationId,
    DateTimeOffset FirstSeenAt, int TimesReceived, bool Applied, int Status);

public static class DeliveryStates
{
    public const string Queued = "queued";
    public const string Held = "held";
    public const string Delivered = "delivered";
    public const string Refused = "refused";
    public const string Exhausted = "exhausted";
    public const string Disabled = "disabled";
}

/// <summary>One delivery of one event (a duplicated event has two).</summary>
/// <param name="State">queued, held (outage), delivered, refused (a 4xx other than 408/429), exhausted (attempts used up), disabled (webhooks were off).</param>
public sealed record DeliveryLogEntry(
    string EventId, string Type, IReadOnlyList<string> Skus, int Attempts, bool Delivered, string State, int? LastStatus, string? LastError);

/// <summary>Why the book refused a call: becomes an RFC 7807 problem.</summary>
public sealed record Refusal(int StatusCode, string Title, string Detail);

/// <summary>A call's answer from the book: its value or its refusal, and whether it is a stored answer given again.</summary>
public sealed record BookAnswer<T>(T? Value, Refusal? Refusal, bool Replayed) where T : class;
