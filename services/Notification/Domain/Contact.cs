namespace Marketplace.Notification.Domain;

/// <summary>
/// This service's copy of how to reach a user, kept from Users' <c>ContactChanged</c> events (or fetched once from
/// Users when a notification needs a contact not yet copied). <see cref="Revision"/> orders the copies: only a higher
/// one replaces what is kept, so a late or repeated event never brings back an older contact.
/// </summary>
public sealed class Contact
{
    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public Dictionary<string, bool> EmailPreferences { get; set; } = [];
    public long Revision { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
