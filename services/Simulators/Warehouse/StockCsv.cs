using System.Globalization;
using System.Text;

namespace Marketplace.Warehouse;

/// <summary>The CSV feed (RFC 4180): a header row, then one row per SKU, CRLF line ends, fields quoted when they must be.</summary>
public static class StockCsv
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";
    public const string Header = "sku,on_hand,version,updated_at";

    public static string Write(IEnumerable<StockItem> items)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var item in items)
        {
            csv.Append(Field(item.Sku)).Append(',')
                .Append(item.OnHand.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(item.Version.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(item.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>A field with a comma, a quote or a line break goes in quotes, its quotes doubled.</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
