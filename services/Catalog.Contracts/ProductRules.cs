using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Marketplace.Catalog.Contracts;

/// <summary>
/// Every rule a product's fields must meet, said once. Catalog enforces them (and answers a broken one as a validation
/// problem naming the field); the merchant console checks the same rules as a merchant types, in its own words.
/// </summary>
public static partial class ProductRules
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 5000;
    public const int BrandMaxLength = 100;
    public const int CategoryMaxLength = 300;
    public const int MaxImages = 10;
    public const int ImageUrlMaxLength = 500;
    public const int MaxVariants = 100;
    public const int MaxOptions = 10;
    public const int OptionNameMaxLength = 40;
    public const int OptionValueMaxLength = 60;
    public const int MaxAttributes = 50;
    public const int AttributeValueMaxLength = 500;
    public const int UnitMaxLength = 20;
    public const decimal MaxPrice = 1_000_000m;

    public const string TextAttribute = "text";
    public const string NumberAttribute = "number";
    public const string BooleanAttribute = "boolean";
    public static readonly IReadOnlyList<string> AttributeTypes = [TextAttribute, NumberAttribute, BooleanAttribute];

    /// <summary>
    /// How a number attribute is written: a sign and a decimal point, no thousands separators (with them, "6,1" would
    /// be read as 61 in the invariant form).
    /// </summary>
    public const NumberStyles NumberStyle =
        NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    /// <summary>Required text: 1 to <paramref name="maxLength"/> characters once trimmed.</summary>
    public static bool IsRequiredText([NotNullWhen(true)] string? value, int maxLength) =>
        !string.IsNullOrWhiteSpace(value) && value.Trim().Length <= maxLength;

    /// <summary>A path of 1 to 5 names separated by '/', each 1 to 60 letters, digits, spaces, '&amp;' or '-' once trimmed.</summary>
    public static bool IsCategoryPath([NotNullWhen(true)] string? category) =>
        !string.IsNullOrWhiteSpace(category) && category.Trim().Length <= CategoryMaxLength
        && CategoryPath().IsMatch(string.Join('/', category.Trim().Split('/').Select(s => s.Trim())));

    /// <summary>More than 0, at most <see cref="MaxPrice"/>, in whole cents.</summary>
    public static bool IsPrice(decimal price) => price > 0 && price <= MaxPrice && decimal.Round(price, 2) == price;

    /// <summary>An ISO 4217 code in capitals (USD).</summary>
    public static bool IsCurrency([NotNullWhen(true)] string? currency) => currency is not null && Currency().IsMatch(currency);

    /// <summary>An absolute http(s) URL or a site path starting with a single '/', at most 500 characters.</summary>
    public static bool IsImageUrl([NotNullWhen(true)] string? url) =>
        url is { Length: > 0 and <= ImageUrlMaxLength }
        && ((url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
            || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"));

    /// <summary>3 to 40 capital letters, digits or '-', not starting with '-'.</summary>
    public static bool IsSku([NotNullWhen(true)] string? sku) => sku is not null && Sku().IsMatch(sku);

    /// <summary>A variant option: a name of 1 to 40 and a value of 1 to 60 characters.</summary>
    public static bool IsOption(string? name, string? value) =>
        IsRequiredText(name, OptionNameMaxLength) && IsRequiredText(value, OptionValueMaxLength);

    /// <summary>Starts with a letter; 1 to 40 letters, digits, '_' or '-'.</summary>
    public static bool IsAttributeName([NotNullWhen(true)] string? name) => name is not null && AttributeName().IsMatch(name);

    /// <summary>A value of the attribute's type, in invariant form: a number such as 6.1, true or false, or 1 to 500 characters of text.</summary>
    public static bool AttributeValueFits(string type, string? value) => type switch
    {
        NumberAttribute => decimal.TryParse(value, NumberStyle, CultureInfo.InvariantCulture, out _),
        BooleanAttribute => bool.TryParse(value, out _),
        _ => !string.IsNullOrWhiteSpace(value) && value.Length <= AttributeValueMaxLength,
    };

    public static bool IsUnit(string? unit) => unit is not { Length: > UnitMaxLength };

    [GeneratedRegex(@"^[\p{L}\p{N}&\- ]{1,60}(/[\p{L}\p{N}&\- ]{1,60}){0,4}$")]
    private static partial Regex CategoryPath();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Currency();

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{2,39}$")]
    private static partial Regex Sku();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
    private static partial Regex AttributeName();
}
