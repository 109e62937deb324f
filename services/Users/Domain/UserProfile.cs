using Marketplace.Shared.Contracts;

namespace Marketplace.Users.Domain;

/// <summary>A shopper's or merchant's profile, created when Identity announces the account.</summary>
public sealed class UserProfile
{
    public const int MaxAddresses = 20;

    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    /// <summary>E-mail on/off per notification kind (e.g. <c>order-confirmed</c>); a missing kind means on.</summary>
    public Dictionary<string, bool> EmailPreferences { get; set; } = [];
    public List<Address> Addresses { get; set; } = [];
    public Guid? DefaultShippingAddressId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Counts the changes of the contact (e-mail, name, e-mail preferences); each is announced as <c>ContactChanged</c>.</summary>
    public long ContactRevision { get; set; }
    /// <summary>PostgreSQL's xmin: a concurrent change to the same profile is detected, not overwritten.</summary>
    public uint Version { get; set; }

    /// <summary>The contact as it is now, to compare before and after a change.</summary>
    public (string Email, string DisplayName, string Preferences) ContactKey() =>
        (Email, DisplayName, string.Join(",", EmailPreferences.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));

    /// <summary>Counts a change of the contact and returns its announcement, to be stored with it.</summary>
    public ContactChanged ContactChangedAt(DateTimeOffset at)
    {
        ContactRevision++;
        return new ContactChanged(UserId, Email, DisplayName, new Dictionary<string, bool>(EmailPreferences), ContactRevision, at);
    }

    public Address? FindAddress(Guid id) => Addresses.Find(a => a.Id == id);

    public void RemoveAddress(Address address)
    {
        Addresses.Remove(address);
        if (DefaultShippingAddressId == address.Id)
        {
            // The oldest remaining address takes over, so a shopper with addresses always has a default.
            DefaultShippingAddressId = Addresses.FirstOrDefault()?.Id;
        }
    }
}

/// <summary>A postal address; <see cref="Country"/> is an ISO 3166-1 alpha-2 code.</summary>
public sealed class Address
{
    public Guid Id { get; set; }
    public string? Label { get; set; }
    public string Recipient { get; set; } = "";
    public string Line1 { get; set; } = "";
    public string? Line2 { get; set; }
    public string City { get; set; } = "";
    public string? Region { get; set; }
    public string PostalCode { get; set; } = "";
    public string Country { get; set; } = "";
    public string? Phone { get; set; }
}

public static class NotificationKinds
{
    public static readonly string[] All = ["order-confirmed", "order-cancelled", "order-shipped", "marketing"];
}
