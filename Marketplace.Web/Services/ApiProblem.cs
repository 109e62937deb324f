using System.Net;
using System.Text.Json;

namespace Marketplace.Web.Services;

/// <summary>
/// A refusal or failure of the API in words a shopper or merchant can act on: the problem details'
/// <c>detail</c> (or title) and, for validation problems, each field's messages. Never an exception's text.
/// </summary>
public sealed class ApiException(HttpStatusCode status, string message, IReadOnlyDictionary<string, string[]> fieldErrors, string? title = null) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The problem's title, which names the kind of refusal ("Sold out", "Prices changed").</summary>
    public string? Title { get; } = title;

    /// <summary>Messages per field, keyed by the API's JSON path (<c>title</c>, <c>variants[0].sku</c>, <c>shippingAddress.city</c>).</summary>
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; } = fieldErrors;

    /// <summary>The message of one field, when the API named it.</summary>
    public string? ErrorFor(string field) =>
        FieldErrors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } messages
            ? string.Join(" ", messages)
            : null;

    /// <summary>Every field's messages, for a summary under a form.</summary>
    public IEnumerable<string> AllFieldMessages => FieldErrors.SelectMany(e => e.Value);
}

public static class ApiProblems
{
    public const string Unreachable = "We couldn't reach the shop just now. Check your connection and try again in a moment.";
    public const string SessionEnded = "Your session has ended. Sign in again to carry on.";

    /// <summary>What to tell the user about any failure of an API call: ours in plain words, never a stack trace.</summary>
    public static string Describe(Exception e) => e switch
    {
        ApiException api => api.Message,
        HttpRequestException or TaskCanceledException or TimeoutException or IOException => Unreachable,
        Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException => Unreachable,
        _ => "Something went wrong on our side. Please try again in a moment.",
    };

    /// <summary>Reads an unsuccessful response into an <see cref="ApiException"/> (RFC 7807 problem details when given).</summary>
    public static async Task<ApiException> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? detail = null, title = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (body.Length > 0 && body.TrimStart().StartsWith('{'))
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? [.. field.Value.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)]
                            : [field.Value.ToString()];
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page): the status decides the words.
        }
        var message = response.StatusCode == HttpStatusCode.TooManyRequests ? Busy(response.Headers.RetryAfter) : Message(response.StatusCode, detail, title, errors);
        return new ApiException(response.StatusCode, message, errors, title);
    }

    /// <summary>The gateway's "too many requests" in words, with the wait it asked for.</summary>
    public static string Busy(System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter)
    {
        var seconds = retryAfter?.Delta is { } delta ? (int)Math.Ceiling(delta.TotalSeconds)
            : retryAfter?.Date is { } date ? (int)Math.Ceiling((date - DateTimeOffset.UtcNow).TotalSeconds)
            : 0;
        return seconds > 0
            ? $"The shop is busy right now: please try again in {seconds} s."
            : "The shop is busy right now: please try again in a few seconds.";
    }

    private static string Message(HttpStatusCode status, string? detail, string? title, Dictionary<string, string[]> errors) => status switch
    {
        HttpStatusCode.Unauthorized => SessionEnded,
        HttpStatusCode.BadRequest when errors.Count > 0 && detail is null => "Some details need another look: " + string.Join(" ", errors.Values.SelectMany(v => v)),
        >= HttpStatusCode.InternalServerError when detail is null => "The shop is having trouble right now. Please try again in a moment.",
        _ => detail ?? title ?? "That didn't work. Please try again.",
    };
}
