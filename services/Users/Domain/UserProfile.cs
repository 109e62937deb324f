namespace Marketplace.Users.Domain;

/// <summary>A shopper's or merchant's profile, created when Identity announces the account.</summary>
public sealed class UserProfile
{
    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    /// <summary>E-mail on/off per notification kind (e.g. <c>order-confirmed</c>); a missing kind means on.</summary>
    public Dictionary<string, bool> EmailPreferences { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class NotificationKinds
{
    public static readonly string[] All = ["order-confirmed", "order-cancelled", "order-shipped", "marketing"];
}
