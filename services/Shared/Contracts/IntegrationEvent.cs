namespace Marketplace.Shared.Contracts;

/// <summary>
/// A fact one service announces to the others. Events are immutable records; the outbox row id
/// becomes the broker MessageId, which consumers use to handle each event once.
/// </summary>
public interface IIntegrationEvent
{
    DateTimeOffset OccurredAt { get; }
}
