using System.Text.RegularExpressions;
using Marketplace.Users.Domain;

namespace Marketplace.Users.Api;

public sealed record AddressRequest(
    string? Label, string? Recipient, string? Line1, string? Line2, string? City, string? Region,
    string? PostalCode, string? Country, string? Phone, bool? IsDefaultShipping);

public sealed record AddressDto(
    Guid Id, string? Label, string Recipient, string Line1, string? Line2, string City, string? Region,
    string PostalCode, string Country, string? Phone, bool IsDefaultShipping);

public static partial class AddressValidation
{
    public static Dictionary<string, string[]> Validate(AddressRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Required(errors, "recipient", request.Recipient, 100);
        Required(errors, "line1", request.Line1, 200);
        Optional(errors, "line2", request.Line2, 200);
        Required(errors, "city", request.City, 100);
        Optional(errors, "region", request.Region, 100);
        Optional(errors, "label", request.Label, 40);
        if (string.IsNullOrWhiteSpace(request.PostalCode) || !PostalCode().IsMatch(request.PostalCode.Trim()))
        {
            errors["postalCode"] = ["postalCode must be 2 to 16 letters, digits, spaces or hyphens."];
        }
        if (string.IsNullOrWhiteSpace(request.Country) || !Country().IsMatch(request.Country.Trim()))
        {
            errors["country"] = ["country must be an ISO 3166-1 alpha-2 code such as US or DE."];
        }
        if (!string.IsNullOrWhiteSpace(request.Phone) && !Phone().IsMatch(request.Phone.Trim()))
        {
            errors["phone"] = ["phone may hold only digits, spaces, dashes, brackets and a leading +, 6 to 32 characters."];
        }
        return errors;
    }

    public static void Apply(AddressRequest request, Address address)
    {
        address.Label = Clean(request.Label);
        address.Recipient = request.Recipient!.Trim();
        address.Line1 = request.Line1!.Trim();
        address.Line2 = Clean(request.Line2);
        address.City = request.City!.Trim();
        address.Region = Clean(request.Region);
        address.PostalCode = request.PostalCode!.Trim().ToUpperInvariant();
        address.Country = request.Country!.Trim().ToUpperInvariant();
        address.Phone = Clean(request.Phone);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Required(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max)
        {
            errors[field] = [$"{field} is required, at most {max} characters."];
        }
    }

    private static void Optional(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (value is not null && value.Trim().Length > max)
        {
            errors[field] = [$"{field} can be at most {max} characters."];
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 \-]{1,15}$")]
    private static partial Regex PostalCode();

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex Country();

    [GeneratedRegex(@"^\+?[0-9 ()\-]{6,32}$")]
    private static partial Regex Phone();
}
