using System.Globalization;
using Marketplace.Catalog.Contracts;
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

/// <summary>
/// Checks a request against every rule a product must meet (<see cref="ProductRules"/>, shared with the merchant
/// console); each broken rule is reported under the field's JSON path.
/// </summary>
public static class ProductValidation
{
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

        Text(r.Title, "title", ProductRules.TitleMaxLength, Add);
        if (r.Description is { Length: > ProductRules.DescriptionMaxLength })
        {
            Add("description", $"description can be at most {ProductRules.DescriptionMaxLength} characters.");
        }
        Text(r.Brand, "brand", ProductRules.BrandMaxLength, Add);
        if (!ProductRules.IsCategoryPath(r.Category))
        {
            Add("category", $"category must be a path of 1 to 5 names separated by '/', e.g. Electronics/Phones, at most {ProductRules.CategoryMaxLength} characters; each name 1 to 60 letters, digits, spaces, '&' or '-'.");
        }
        CheckPrice(r.Price, "price", required: true, Add);
        if (!ProductRules.IsCurrency(r.Currency))
        {
            Add("currency", "currency must be an ISO 4217 code in capitals, e.g. USD.");
        }
        var images = r.ImageUrls ?? [];
        if (images.Count > ProductRules.MaxImages)
        {
            Add("imageUrls", $"A product has at most {ProductRules.MaxImages} images.");
        }
        for (var i = 0; i < images.Count; i++)
        {
            if (!ProductRules.IsImageUrl(images[i]))
            {
                Add($"imageUrls[{i}]", $"An image URL is an absolute http(s) URL or a path starting with '/', at most {ProductRules.ImageUrlMaxLength} characters.");
            }
        }

        var variants = r.Variants ?? [];
        if (variants.Count is 0 or > ProductRules.MaxVariants)
        {
            Add("variants", $"A product has 1 to {ProductRules.MaxVariants} variants (each with its own SKU).");
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
            if (!ProductRules.IsSku(v.Sku))
            {
                Add($"variants[{i}].sku", "A SKU is 3 to 40 capital letters, digits or '-'.");
            }
            else if (!skus.Add(v.Sku))
            {
                Add($"variants[{i}].sku", $"SKU {v.Sku} appears twice in this product.");
            }
            var options = v.Options ?? [];
            if (options.Count > ProductRules.MaxOptions || options.Any(o => !ProductRules.IsOption(o.Key, o.Value))
                || options.Keys.Select(k => k.Trim()).Distinct(StringComparer.Ordinal).Count() != options.Count)
            {
                Add($"variants[{i}].options", $"A variant has at most {ProductRules.MaxOptions} options with distinct names, each a name of 1 to {ProductRules.OptionNameMaxLength} and a value of 1 to {ProductRules.OptionValueMaxLength} characters.");
            }
            CheckPrice(v.PriceOverride, $"variants[{i}].priceOverride", required: false, Add);
        }

        var attributes = r.Attributes ?? [];
        if (attributes.Count > ProductRules.MaxAttributes)
        {
            Add("attributes", $"A product has at most {ProductRules.MaxAttributes} attributes.");
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
            if (!ProductRules.IsAttributeName(a.Name))
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
            else if (!ProductRules.AttributeValueFits(type, a.Value))
            {
                Add($"attributes[{i}].value", type switch
                {
                    ProductAttribute.Number => "A number attribute's value is a number such as 6.1.",
                    ProductAttribute.Boolean => "A boolean attribute's value is true or false.",
                    _ => $"A text attribute's value is 1 to {ProductRules.AttributeValueMaxLength} characters.",
                });
            }
            if (!ProductRules.IsUnit(a.Unit))
            {
                Add($"attributes[{i}].unit", $"A unit is at most {ProductRules.UnitMaxLength} characters.");
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

    private static string Canonical(string type, string value) => type switch
    {
        ProductAttribute.Number => decimal.Parse(value, ProductRules.NumberStyle, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        ProductAttribute.Boolean => bool.Parse(value) ? "true" : "false",
        _ => value.Trim(),
    };

    private static void Text(string? value, string field, int max, Action<string, string> add)
    {
        if (!ProductRules.IsRequiredText(value, max))
        {
            add(field, $"{field} is required, 1 to {max} characters.");
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
        if (!ProductRules.IsPrice(price.Value))
        {
            add(field, $"{field} must be more than 0 and at most {ProductRules.MaxPrice:0}, with at most 2 decimals.");
        }
    }
}
