using Marketplace.Inventory.Domain;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Marketplace.Shared.Webhooks;

namespace Marketplace.Inventory.External;

/// <summary>What an adapter made of its input: a batch to apply, or why nothing can be taken.</summary>
/// <param name="Status">401 for an unauthenticated message (signature, replay window), 400 for one we cannot read.</param>
public sealed record AdapterResult(InboundBatch? Batch, int Status = 200, string? Error = null)
{
    public static AdapterResult Refused(int status, string error) => new(null, status, error);
}

/// <summary>
/// Inbound adapter for the JSON webhook (docs/webhooks.md): checks the <c>Warehouse-Signature</c> header —
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;</c> — and that <c>t</c> lies within the
/// replay window, then reads the event.
/// </summary>
public static class WebhookAdapter
{
    public const string SignatureHeader = "Warehouse-Signature";
    public const int MaxBodyBytes = 1 << 20;

    public static AdapterResult Read(string system, ExternalSystemOptions options, string? signature, byte[] body, DateTimeOffset now)
    {
        if (HmacWebhookSignature.Verify(options.WebhookSecret, signature, body, now, options.ReplayWindow, SignatureHeader) is { } refusal)
        {
            return AdapterResult.Refused(StatusCodes.Status401Unauthorized, refusal);
        }
        WebhookEvent? message;
        try
        {
            message = JsonSerializer.Deserialize<WebhookEvent>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return AdapterResult.Refused(StatusCodes.Status400BadRequest, $"The body is not a stock event: {e.Message}");
        }
        if (message is null || string.IsNullOrWhiteSpace(message.Id) || message.Id.Length > 100)
        {
            return AdapterResult.Refused(StatusCodes.Status400BadRequest, "The event needs an id of at most 100 characters.");
        }
        if (message.Type is not ("stock.delta" or "stock.snapshot"))
        {
            return AdapterResult.Refused(StatusCodes.Status400BadRequest, $"Unknown event type '{message.Type}': expected stock.delta or stock.snapshot.");
        }
        if (message.System is { } named && named != system)
        {
            return AdapterResult.Refused(StatusCodes.Status400BadRequest, $"The event is from '{named}', posted to '{system}'.");
        }
        var levels = new List<ExternalLevel>();
        var rejected = new List<RejectedRow>();
        var items = message.Items ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (Check(item.Sku, item.OnHand, item.Version) is { } problem)
            {
                rejected.Add(new RejectedRow(i + 1, item.Sku, problem));
                continue;
            }
            levels.Add(new ExternalLevel(item.Sku!, item.OnHand!.Value, item.Version!.Value, item.UpdatedAt ?? message.OccurredAt));
        }
        return new AdapterResult(new InboundBatch(system, "webhook", message.Id, message.OccurredAt, levels, rejected));
    }

    internal static string? Check(string? sku, int? onHand, long? version) =>
        string.IsNullOrWhiteSpace(sku) || sku.Length > 64 ? "A SKU of 1 to 64 characters is required."
        : onHand is not >= 0 ? "onHand must be a whole number of units, zero or more."
        : version is not >= 0 ? "version must be a whole number, zero or more."
        : null;
}

/// <summary>A warehouse webhook's body (docs/webhooks.md): <c>stock.delta</c> (one SKU that changed) or <c>stock.snapshot</c> (every SKU).</summary>
/// <param name="Id">Unique per event; a redelivery keeps it.</param>
/// <param name="System">The sender, as we name it (must match the path).</param>
public sealed record WebhookEvent(string? Id, string? Type, string? System, DateTimeOffset OccurredAt, List<WebhookItem>? Items);

/// <param name="OnHand">The physical units after the change: this is what we apply.</param>
/// <param name="Delta">The change that led there (null in a snapshot); informative.</param>
/// <param name="Version">The SKU's version in the sender's book, raised by every change; older than ours is ignored.</param>
public sealed record WebhookItem(string? Sku, int? OnHand, int? Delta, long? Version, DateTimeOffset? UpdatedAt);

/// <summary>
/// Inbound adapter for the CSV feed (header <c>sku,on_hand,version,updated_at</c>, RFC 4180 quoting): good rows
/// become levels, bad rows are reported with their line and reason and change nothing.
/// </summary>
public static class CsvFeedAdapter
{
    public static readonly string[] Columns = ["sku", "on_hand", "version", "updated_at"];

    public static AdapterResult Read(string system, string text, DateTimeOffset now)
    {
        var records = ParseRecords(text).ToList();
        if (records.Count == 0)
        {
            return AdapterResult.Refused(StatusCodes.Status400BadRequest, $"The feed is empty: it needs the header {string.Join(',', Columns)}.");
        }
        var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var index = Columns.ToDictionary(c => c, c => header.IndexOf(c));
        if (index.Values.Any(i => i < 0))
        {
            return AdapterResult.Refused(StatusCodes.Status400BadRequest,
                $"The header names {string.Join(',', header)}; the feed needs {string.Join(',', Columns)}.");
        }
        var levels = new List<ExternalLevel>();
        var rejected = new List<RejectedRow>();
        foreach (var (line, fields, error) in records.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0 && error is null)
            {
                continue; // a blank line
            }
            var sku = index["sku"] < fields.Count ? fields[index["sku"]].Trim() : null;
            if (error is not null)
            {
                rejected.Add(new RejectedRow(line, sku, error));
                continue;
            }
            if (fields.Count != header.Count)
            {
                rejected.Add(new RejectedRow(line, sku, $"The row has {fields.Count} fields; the header has {header.Count}."));
                continue;
            }
            int? onHand = int.TryParse(fields[index["on_hand"]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) ? o : null;
            long? version = long.TryParse(fields[index["version"]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
            var updatedText = fields[index["updated_at"]].Trim();
            DateTimeOffset? updatedAt = updatedText.Length == 0 ? now
                : DateTimeOffset.TryParse(updatedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var u) ? u : null;
            var problem = WebhookAdapter.Check(sku, onHand, version) ?? (updatedAt is null ? $"updated_at '{updatedText}' is not a date and time." : null);
            if (problem is not null)
            {
                rejected.Add(new RejectedRow(line, sku, problem));
                continue;
            }
            levels.Add(new ExternalLevel(sku!, onHand!.Value, version!.Value, updatedAt!.Value));
        }
        return new AdapterResult(new InboundBatch(system, "csv", null, now, levels, rejected));
    }

    /// <summary>RFC 4180 records with the line each starts on; a record whose quotes do not close is an error.</summary>
    internal static IEnumerable<(int Line, List<string> Fields, string? Error)> ParseRecords(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var (line, startLine, i) = (1, 1, 0);
        var quoted = false;
        string? error = null;
        while (i <= text.Length)
        {
            if (i == text.Length || (!quoted && text[i] is '\n' or '\r'))
            {
                if (quoted)
                {
                    error = "A quoted field does not close.";
                }
                fields.Add(field.ToString());
                if (i < text.Length || fields.Count > 1 || fields[0].Length > 0)
                {
                    yield return (startLine, fields, error);
                }
                if (i < text.Length && text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                (fields, field, error, quoted) = (new List<string>(), new StringBuilder(), null, false);
                i++;
                line++;
                startLine = line;
                continue;
            }
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }
                if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '"')
            {
                error ??= "A quote inside an unquoted field.";
                field.Append(c);
            }
            else
            {
                field.Append(c);
            }
            i++;
        }
    }
}
