using System.Globalization;
using System.Text;

namespace Marketplace.Web.Services;

/// <summary>Typed product attributes as a shopper reads them: <c>batteryHours: 30 h</c> becomes "Battery hours · 30 h".</summary>
public static class AttributeText
{
    public static string Name(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '-')
            {
                text.Append(' ');
            }
            else if (i > 0 && char.IsUpper(c) && !char.IsUpper(name[i - 1]))
            {
                text.Append(' ').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(i == 0 ? char.ToUpperInvariant(c) : c);
            }
        }
        return text.ToString();
    }

    public static string Value(ProductAttribute attribute, CultureInfo culture)
    {
        var value = attribute.Type switch
        {
            "number" when decimal.TryParse(attribute.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) => n.ToString("#,##0.###", culture),
            "boolean" => attribute.Value == "true" ? "Yes" : "No",
            _ => attribute.Value,
        };
        return string.IsNullOrWhiteSpace(attribute.Unit) ? value : $"{value} {attribute.Unit}";
    }
}
