namespace Marketplace.Web.Services;

// The shopper's profile and addresses. The gateway's public API as the web app reads it (JSON with web defaults).

public sealed record Address(
    Guid Id, string? Label, string Recipient, string Line1, string? Line2, string City, string? Region, string PostalCode,
    string Country, string? Phone, bool IsDefaultShipping);

public sealed record Profile(Guid UserId, string Email, string DisplayName, List<Address> Addresses, Guid? DefaultShippingAddressId);
