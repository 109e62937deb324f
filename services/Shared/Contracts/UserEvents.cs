namespace Marketplace.Shared.Contracts;

/// <summary>
/// How to reach a user changed (or the profile was created): Notification keeps its own copy, so a notification
/// needs no call to Users. <see cref="Revision"/> grows with every change of these fields; a copy keeps the highest.
/// </summary>
public sealed record ContactChanged(
    Guid UserId, string Email, string DisplayName, IReadOnlyDictionary<string, bool> EmailPreferences, long Revision, DateTimeOffset OccurredAt)
    : IIntegrationEvent;
