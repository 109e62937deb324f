using System.Globalization;
using Marketplace.Catalog.Contracts;

namespace Marketplace.Web.Services;

/// <summary>A typed attribute as the editor holds it; the rules are Catalog's (<see cref="ProductRules"/>), so a mistake shows as it is typed.</summary>
public sealed class AttributeModel
{
    public static readonly IReadOnlyList<(string Type, string Label)> Types =
        [(ProductRules.TextAttribute, "Text"), (ProductRules.NumberAttribute, "Number"), (ProductRules.BooleanAttribute, "Yes / no")];

    /// <summary>Identifies the row while it is edited (names change).</summary>
    public Guid Key { get; } = Guid.NewGuid();
    public string Name { get; set; } = "";
    public string Type { get; set; } = "text";
    public string Value { get; set; } = "";
    public string? Unit { get; set; }

    public static AttributeModel From(ProductAttribute a) => new() { Name = a.Name, Type = a.Type, Value = a.Value, Unit = a.Unit };

    public AttributeRequest ToRequest() => new(Name.Trim(), Type, CanonicalValue(), string.IsNullOrWhiteSpace(Unit) ? null : Unit.Trim());

    /// <summary>Numbers go to the API in invariant form (6.1), whatever the culture they were typed in.</summary>
    public string CanonicalValue() => Type switch
    {
        "number" when ParseNumber(Value) is { } n => n.ToString(CultureInfo.InvariantCulture),
        "boolean" => Value == "true" ? "true" : "false",
        _ => Value.Trim(),
    };

    public static string? ValidateName(string? name, IEnumerable<AttributeModel> all, AttributeModel self)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Give the attribute a name.";
        }
        if (!ProductRules.IsAttributeName(name.Trim()))
        {
            return "Start with a letter; then letters, digits, '_' or '-' (at most 40).";
        }
        return all.Any(a => !ReferenceEquals(a, self) && string.Equals(a.Name.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase))
            ? $"“{name.Trim()}” is already an attribute."
            : null;
    }

    /// <summary>A number may be typed in the invariant form or the current culture's (<see cref="ParseNumber"/>); it is sent invariantly.</summary>
    public static string? ValidateValue(string type, string? value) => type switch
    {
        ProductRules.NumberAttribute => ParseNumber(value) is null ? "Enter a number, such as 6.1." : null,
        ProductRules.BooleanAttribute => value is "true" or "false" ? null : "Choose yes or no.",
        _ => string.IsNullOrWhiteSpace(value) ? "Enter a value."
            : ProductRules.AttributeValueFits(type, value.Trim()) ? null : $"At most {ProductRules.AttributeValueMaxLength} characters.",
    };

    public static string? ValidateUnit(string? unit) => ProductRules.IsUnit(unit) ? null : $"At most {ProductRules.UnitMaxLength} characters.";

    /// <summary>A number typed in the invariant form or the current culture's (6.1 or 6,1).</summary>
    public static decimal? ParseNumber(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : decimal.TryParse(text.Trim(), ProductRules.NumberStyle, CultureInfo.InvariantCulture, out var n) ? n
        : decimal.TryParse(text.Trim(), ProductRules.NumberStyle, CultureInfo.CurrentCulture, out n) ? n : null;
}

/// <summary>A variant as the editor holds it: its options typed as <c>colour: Black, size: M</c>.</summary>
public sealed class VariantModel
{
    public Guid Key { get; } = Guid.NewGuid();
    public string Sku { get; set; } = "";
    public string Options { get; set; } = "";
    public decimal? PriceOverride { get; set; }

    public static VariantModel From(ProductVariant v) => new()
    {
        Sku = v.Sku,
        Options = string.Join(", ", v.Options.Select(o => $"{o.Key}: {o.Value}")),
        PriceOverride = v.PriceOverride,
    };

    public VariantRequest ToRequest() => new(Sku.Trim(), ParseOptions(Options) ?? [], PriceOverride);

    public static Dictionary<string, string>? ParseOptions(string? text)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0 || colon == part.Length - 1)
            {
                return null;
            }
            var (name, value) = (part[..colon].Trim(), part[(colon + 1)..].Trim());
            if (!ProductRules.IsOption(name, value) || !options.TryAdd(name, value))
            {
                return null;
            }
        }
        return options.Count > ProductRules.MaxOptions ? null : options;
    }

    public static string? ValidateSku(string? sku, IEnumerable<VariantModel> all, VariantModel self)
    {
        if (string.IsNullOrWhiteSpace(sku) || !ProductRules.IsSku(sku.Trim()))
        {
            return "3 to 40 capital letters, digits or '-', such as ACME-EB3-BLK.";
        }
        return all.Any(v => !ReferenceEquals(v, self) && v.Sku.Trim() == sku.Trim()) ? "Each variant needs its own SKU." : null;
    }

    public static string? ValidateOptions(string? text) =>
        ParseOptions(text) is null ? "Write options as name: value, separated by commas (at most 10), e.g. colour: Black, size: M." : null;

    public static string? ValidatePrice(decimal? price) =>
        price is null || ProductRules.IsPrice(price.Value) ? null : $"More than 0, at most {ProductRules.MaxPrice:N0}, with at most 2 decimals.";
}
