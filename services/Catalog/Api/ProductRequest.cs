using System.Globalization;
using System.Text.RegularExpressions;
using Marketplace.Catalog.Domain;

namespace Marketplace.Catalog.Api;

/// <summary>What a merchant sends to create or replace a product. <c>merchantId</c> is read only from admins.</summary>
public sealed record ProductRequest(
    Guid? MerchantId,
    string? Title,
    string? Description,
    string? Brand,
    string? Category,
    decimal? Price,
    string? Currency,
    List<string>? ImageUrls,
    List<VariantRequest>? Variants,
    List<AttributeRequest>? Attributes);

public sealed record VariantRequest(string? Sku, Dictionary<string, string>? Options, decimal? PriceOverride);

public sealed record AttributeRequest(string? Name, string? Type, string? Value, string? Unit);

/// <summary>Every rule a product must meet; each broken rule is reported under the field's JSON path.</summary>
public static partial class ProductValidation
{
    public const int MaxVariants = 100;
    public const int MaxAttributes = 50;
    public const int MaxImages = 10;
    public const decimal MaxPrice = 1_000_000m;

    public static Dictionary<string, string[]> Validate(ProductRequest r)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.Add(message);
        }

        Text(r.Title, "title", 1, 200, Add);
        if (r.Description is { Length: > 5000 })
        {
            Add("description", "description can be at most 5000 characters.");
        }
        Text(r.Brand, "brand", 1, 100, Add);
        if (string.IsNullOrWhiteSpace(r.Category) || r.Category.Trim().Length > 300 || !CategoryPath().IsMatch(r.Category.Trim()))
        {
            Add("category", "category must be a path of 1 to 5 names separated by '/', e.g. Electronics/Phones, at most 300 characters; each name 1 to 60 letters, digits, spaces, '&' or '-'.");
        }
        CheckPrice(r.Price, "price", required: true, Add);
        if (string.IsNullOrWhiteSpace(r.Currency) || !Currency().IsMatch(r.Currency))
        {
            Add("currency", "currency must be an ISO 4217 code in capitals, e.g. USD.");
        }
        var images = r.ImageUrls ?? [];
        if (images.Count > MaxImages)
        {
            Add("imageUrls", $"A product has at most {MaxImages} images.");
        }
        for (var i = 0; i < images.Count; i++)
        {
            if (!IsImageUrl(images[i]))
            {
                Add($"imageUrls[{i}]", "An image URL is an absolute http(s) URL or a path starting with '/', at most 500 characters.");
            }
        }

        var variants = r.Variants ?? [];
        if (variants.Count is 0 or > MaxVariants)
        {
            Add("variants", $"A product has 1 to {MaxVariants} variants (each with its own SKU).");
        }
        var skus = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < variants.Count; i++)
        {
            var v = variants[i];
            if (v is null)
            {
                Add($"variants[{i}]", "A variant cannot be null.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(v.Sku) || !Sku().IsMatch(v.Sku))
            {
                Add($"variants[{i}].sku", "A SKU is 3 to 40 capital letters, digits or '-'.");
            }
            else if (!skus.Add(v.Sku))
            {
                Add($"variants[{i}].sku", $"SKU {v.Sku} appears twice in this product.");
            }
            var options = v.Options ?? [];
            if (options.Count > 10 || options.Any(o => string.IsNullOrWhiteSpace(o.Key) || o.Key.Length > 40 || string.IsNullOrWhiteSpace(o.Value) || o.Value.Length > 60)
                || options.Keys.Select(k => k.Trim()).Distinct(StringComparer.Ordinal).Count() != options.Count)
            {
                Add($"variants[{i}].options", "A variant has at most 10 options with distinct names, each a name of 1 to 40 and a value of 1 to 60 characters.");
            }
            CheckPrice(v.PriceOverride, $"variants[{i}].priceOverride", required: false, Add);
        }

        var attributes = r.Attributes ?? [];
        if (attributes.Count > MaxAttributes)
        {
            Add("attributes", $"A product has at most {MaxAttributes} attributes.");
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < attributes.Count; i++)
        {
            var a = attributes[i];
            if (a is null)
            {
                Add($"attributes[{i}]", "An attribute cannot be null.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(a.Name) || !AttributeName().IsMatch(a.Name))
            {
                Add($"attributes[{i}].name", "An attribute name starts with a letter and has 1 to 40 letters, digits, '_' or '-'.");
            }
            else if (!names.Add(a.Name))
            {
                Add($"attributes[{i}].name", $"The attribute {a.Name} appears twice.");
            }
            var type = a.Type ?? ProductAttribute.Text;
            if (!ProductAttribute.Types.Contains(type))
            {
                Add($"attributes[{i}].type", $"An attribute type is one of {string.Join(", ", ProductAttribute.Types)}.");
            }
            else if (!ValueFits(type, a.Value))
            {
                Add($"attributes[{i}].value", type switch
                {
                    ProductAttribute.Number => "A number attribute's value is a number such as 6.1.",
                    ProductAttribute.Boolean => "A boolean attribute's value is true or false.",
                    _ => "A text attribute's value is 1 to 500 characters.",
                });
            }
            if (a.Unit is { Length: > 20 })
            {
                Add($"attributes[{i}].unit", "A unit is at most 20 characters.");
            }
        }
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>The request as a product (validated first); identity, merchant, versions and times are the caller's to set.</summary>
    public static void Apply(ProductRequest r, Product p)
    {
        p.Title = r.Title!.Trim();
        p.Description = r.Description?.Trim() ?? "";
        p.Brand = r.Brand!.Trim();
        p.Category = string.Join('/', r.Category!.Trim().Split('/').Select(s => s.Trim()));
        p.Price = r.Price!.Value;
        p.Currency = r.Currency!;
        p.ImageUrls = [.. r.ImageUrls ?? []];
        p.Variants = [.. r.Variants!.Select(v => new ProductVariant
        {
            Sku = v.Sku!,
            Options = (v.Options ?? []).ToDictionary(o => o.Key.Trim(), o => o.Value.Trim()),
            PriceOverride = v.PriceOverride,
        })];
        p.Attributes = [.. (r.Attributes ?? []).Select(a => new ProductAttribute
        {
            Name = a.Name!,
            Type = a.Type ?? ProductAttribute.Text,
            Value = Canonical(a.Type ?? ProductAttribute.Text, a.Value!),
            Unit = string.IsNullOrWhiteSpace(a.Unit) ? null : a.Unit.Trim(),
        })];
    }

    private static bool ValueFits(string type, string? value) => type switch
    {
        ProductAttribute.Number => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
        ProductAttribute.Boolean => bool.TryParse(value, out _),
        _ => !string.IsNullOrWhiteSpace(value) && value.Length <= 500,
    };

    private static string Canonical(string type, string value) => type switch
    {
        ProductAttribute.Number => decimal.Parse(value, NumberStyles.Number, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        ProductAttribute.Boolean => bool.Parse(value) ? "true" : "false",
        _ => value.Trim(),
    };

    private static void Text(string? value, string field, int min, int max, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length < min || value.Trim().Length > max)
        {
            add(field, $"{field} is required, {min} to {max} characters.");
        }
    }

    private static void CheckPrice(decimal? price, string field, bool required, Action<string, string> add)
    {
        if (price is null)
        {
            if (required)
            {
                add(field, $"{field} is required.");
            }
            return;
        }
        if (price <= 0 || price > MaxPrice || decimal.Round(price.Value, 2) != price)
        {
            add(field, $"{field} must be more than 0 and at most {MaxPrice:0}, with at most 2 decimals.");
        }
    }

    private static bool IsImageUrl(string? url) =>
        url is { Length: > 0 and <= 500 }
        && ((url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
            || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"));

    [GeneratedRegex(@"^[\p{L}\p{N}&\- ]{1,60}(/[\p{L}\p{N}&\- ]{1,60}){0,4}$")]
    private static partial Regex CategoryPath();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Currency();

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{2,39}$")]
    private static partial Regex Sku();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
    private static partial Regex AttributeName();
}
