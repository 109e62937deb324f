using System.Diagnostics;
using System.Text.Json;

namespace Marketplace.Shared.Messaging;

/// <summary>
/// An integration event waiting to be published. Written in the same transaction as the business
/// change it announces; its <see cref="Id"/> becomes the broker MessageId.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage() { }

    public Guid Id { get; private set; }
    /// <summary>Type name with assembly, without version, so a later build still resolves it.</summary>
    public string MessageType { get; private set; } = "";
    public string Body { get; private set; } = "";
    public string? TraceParent { get; private set; }
    public string? TraceState { get; private set; }
    public string? CorrelationId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }

    public static OutboxMessage Create(object message, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = message.GetType();
        var now = clock.GetUtcNow();
        var activity = Activity.Current;
        return new OutboxMessage
        {
            Id = MessagingModel.NextId(),
            MessageType = $"{type.FullName}, {type.Assembly.GetName().Name}",
            Body = JsonSerializer.Serialize(message, type, MessagingJson.Options),
            TraceParent = activity?.Id is { } id && activity.IdFormat == ActivityIdFormat.W3C ? id : null,
            TraceState = activity?.TraceStateString,
            CorrelationId = activity?.GetBaggageItem("correlation.id"),
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    /// <summary>An event kept elsewhere than the outbox table (inside a MongoDB document), brought back to be published.</summary>
    public static OutboxMessage Restore(Guid id, string messageType, string body, string? traceParent, string? traceState, string? correlationId, DateTimeOffset createdAt) => new()
    {
        Id = id, MessageType = messageType, Body = body, TraceParent = traceParent, TraceState = traceState,
        CorrelationId = correlationId, CreatedAt = createdAt, NextAttemptAt = createdAt,
    };

    public Type ResolveType() =>
        Type.GetType(MessageType, throwOnError: false)
        ?? throw new InvalidOperationException($"Outbox message {Id} has unknown type '{MessageType}'.");

    public object Deserialize() =>
        JsonSerializer.Deserialize(Body, ResolveType(), MessagingJson.Options)
        ?? throw new InvalidOperationException($"Outbox message {Id} has an empty body.");

    internal void MarkFailed(DateTimeOffset at, string error, TimeSpan maxBackoff)
    {
        Attempts++;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(maxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(Attempts, 16))));
        NextAttemptAt = at + backoff;
        LastError = error.Length > 2000 ? error[..2000] : error;
    }
}

/// <summary>A message a consumer has handled; the primary key (MessageId, Consumer) makes handling happen once.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public string Consumer { get; set; } = "";
    public DateTimeOffset ProcessedAt { get; set; }
}

internal static class MessagingJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
