namespace Marketplace.Inventory.Domain;

/// <summary>A SKU's level as an external system counts it, at the system's version of that SKU.</summary>
public sealed record ExternalLevel(string Sku, int OnHand, long Version, DateTimeOffset UpdatedAt);

/// <summary>
/// An external warehouse/ERP system we exchange stock with, and what we know of the link: the circuit
/// breaker of our calls to it, when we last heard from it and reached it, and what failed.
/// </summary>
public sealed class ExternalSystem
{
    public string Code { get; set; } = "";
    /// <summary>The warehouse of ours whose stock this system keeps (it is the record of what is physically there).</summary>
    public string Warehouse { get; set; } = "";
    public string Breaker { get; set; } = BreakerStates.Closed;
    public DateTimeOffset? BreakerChangedAt { get; set; }
    public DateTimeOffset? LastInboundAt { get; set; }
    /// <summary>How long the last applied inbound event took from the system's clock to ours.</summary>
    public double? LastInboundLagMs { get; set; }
    public DateTimeOffset? LastOutboundAt { get; set; }
    public long DeliveryFailures { get; set; }
    public long RejectedInbound { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    /// <summary>The replica delivering to this system, so outbound changes leave in order.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

public static class BreakerStates
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half-open";
}

/// <summary>The newest level of a SKU the external system has told us of (webhook, feed, delivery answer or reconciliation).</summary>
public sealed class ExternalStock
{
    public string System { get; set; } = "";
    public string Sku { get; set; } = "";
    public int OnHand { get; set; }
    public long Version { get; set; }
    /// <summary>When the level changed, by the external system's clock.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>An inbound event already taken (its external id), so a redelivery or a replay changes nothing.</summary>
public sealed class ExternalEvent
{
    public string System { get; set; } = "";
    public string EventId { get; set; } = "";
    public string Source { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string Outcome { get; set; } = "";
}

public enum OutboundKind
{
    Adjustment,
    Commit,
}

/// <summary>
/// A change of ours the external system must hear of, written in the transaction that made it and delivered
/// in id order by the outbound relay. Its id makes the idempotency key of every attempt, so the system
/// applies it once however often it is sent. Attempted but unanswered, it may or may not have been applied.
/// </summary>
public sealed class OutboundChange
{
    public long Id { get; set; }
    public string System { get; set; } = "";
    public OutboundKind Kind { get; set; }
    public string Sku { get; set; } = "";
    /// <summary>The change of the system's on-hand units: negative for a commit (units shipped).</summary>
    public int Delta { get; set; }
    public string Reference { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>When the system answered for good: applied, or (<see cref="Refused"/>) refused.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>The system refused the change for good (say, fewer units there than we sent a loss of); reconciliation squares the books.</summary>
    public bool Refused { get; set; }
    public string? LastError { get; set; }

    public string IdempotencyKey => $"inventory-{System}-{Id}";
}

/// <summary>One comparison of both stock books and what it changed.</summary>
public sealed class ReconciliationRun
{
    public long Id { get; set; }
    public string System { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int Checked { get; set; }
    public int Drifted { get; set; }
    public int Fixed { get; set; }
    public int Skipped { get; set; }
    public string? Error { get; set; }
    public List<ReconciliationFinding> Findings { get; set; } = [];
}

/// <param name="Ours">Our on-hand units in the system's warehouse before the run.</param>
/// <param name="Theirs">The system's count.</param>
/// <param name="Pending">Our changes not yet delivered to it.</param>
/// <param name="Now">Ours after the run (null when left alone).</param>
public sealed record ReconciliationFinding(string Sku, int Ours, int Theirs, int Pending, int? Now, string Note);
