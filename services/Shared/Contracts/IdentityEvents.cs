namespace Marketplace.Shared.Contracts;

/// <summary>An account was registered with Identity; Users creates its profile.</summary>
public sealed record UserRegistered(Guid UserId, string Email, string DisplayName, DateTimeOffset OccurredAt) : IIntegrationEvent;
