using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Marketplace.Notification.Contacts;
using Marketplace.Notification.Domain;
using Marketplace.Shared.Contracts;

namespace Marketplace.Notification.Messaging;

/// <summary>
/// What each event says to its reader, in the app and by e-mail. Every value that came from an event
/// or a profile is HTML-encoded in the HTML body: titles and reasons are other people's text.
/// </summary>
public static class NotificationContent
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static NotificationText OrderConfirmed(OrderConfirmed m) => new(
        "Order confirmed",
        $"Your order {OrderNumber(m.OrderId)} is confirmed: {ItemCount(m.Lines.Sum(l => l.Quantity))}, {Money(m.Total, m.Currency)}.");

    public static NotificationText NewOrder(Guid orderId, IReadOnlyList<OrderLineSnapshot> merchantLines) => new(
        "New order",
        $"Order {OrderNumber(orderId)} is confirmed with {ItemCount(merchantLines.Sum(l => l.Quantity))} of yours: "
        + string.Join(", ", merchantLines.Select(l => $"{l.Quantity} × {l.Title} ({l.Sku})")) + ".");

    public static NotificationText OrderCancelled(OrderCancelled m) => new(
        "Order cancelled",
        $"Your order {OrderNumber(m.OrderId)} was cancelled: {m.Reason}");

    public static NotificationText OrderShipped(OrderShipped m) => new(
        "Order shipped",
        $"{(m.FullyShipped ? "Your order" : "Part of your order")} {OrderNumber(m.OrderId)} has shipped ({ItemCount(m.Skus.Count)})."
        + (string.IsNullOrWhiteSpace(m.TrackingNumber) ? "" : $" Tracking number: {m.TrackingNumber}."));

    public static NotificationText LowStock(LowStock m) => new(
        $"Low stock: {m.Sku}",
        $"{m.Sku} is down to {m.Available} available (your threshold is {m.Threshold}).");

    /// <summary>An e-mail saying what the notification says, with the order's lines when there are any.</summary>
    public static EmailContent Email(BuyerContact contact, NotificationText text, IReadOnlyList<OrderLineSnapshot>? lines = null)
    {
        var subject = $"Marketplace: {text.Title}";
        var plain = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {contact.DisplayName},\n\n")
            .Append(text.Body).Append("\n\n");
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<p>Hello {Html.Encode(contact.DisplayName)},</p>\n")
            .Append(CultureInfo.InvariantCulture, $"<p>{Html.Encode(text.Body)}</p>\n");
        if (lines is { Count: > 0 })
        {
            html.Append("<table>\n");
            foreach (var line in lines)
            {
                var price = Money(line.UnitPrice * line.Quantity, currency: null);
                plain.Append(CultureInfo.InvariantCulture, $"  {line.Quantity} × {line.Title} ({line.Sku})  {price}\n");
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{line.Quantity} ×</td><td>{Html.Encode(line.Title)}</td><td>{Html.Encode(line.Sku)}</td><td>{price}</td></tr>\n");
            }
            html.Append("</table>\n");
            plain.Append('\n');
        }
        const string footer = "You receive this e-mail because of your notification settings in your Marketplace profile.";
        plain.Append(footer).Append('\n');
        html.Append(CultureInfo.InvariantCulture, $"<p><small>{footer}</small></p>\n");
        return new EmailContent(subject, plain.ToString(), html.ToString());
    }

    /// <summary>The short form shoppers and merchants quote: the id's first eight hex digits.</summary>
    public static string OrderNumber(Guid orderId) => orderId.ToString("N")[..8].ToUpperInvariant();

    private static string ItemCount(int count) => count == 1 ? "1 item" : $"{count} items";

    private static string Money(decimal amount, string? currency) =>
        amount.ToString("N2", CultureInfo.InvariantCulture) + (currency is null ? "" : $" {currency}");
}
