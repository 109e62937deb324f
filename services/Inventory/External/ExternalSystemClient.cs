using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Inventory.Domain;

namespace Marketplace.Inventory.External;

/// <summary>The system answered: the change is applied (with the level it left), or refused for good.</summary>
public sealed record DeliveryResult(ExternalLevel? Level, string? Refusal);

/// <summary>The call failed in a way worth retrying (no answer, timeout, 5xx, 408, 429): it may or may not have been applied.</summary>
public sealed class ExternalSystemUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The outbound adapter: the warehouse API of docs/webhooks.md over HTTP. Every change carries its
/// Idempotency-Key, so a retry of a call that was applied is answered without applying it again.
/// </summary>
public sealed class ExternalSystemClient(HttpClient http, TimeProvider clock)
{
    public static string HttpClientName(string system) => $"external-{system}";

    /// <summary>The client of one configured system (its named HttpClient: base address and key).</summary>
    public static ExternalSystemClient For(IHttpClientFactory httpClients, string system, TimeProvider clock) =>
        new(httpClients.CreateClient(HttpClientName(system)), clock);

    public async Task<DeliveryResult> SendAsync(OutboundChange change, CancellationToken ct)
    {
        using var request = change.Kind switch
        {
            OutboundKind.Commit => new HttpRequestMessage(HttpMethod.Post, "/api/commits")
            {
                Content = JsonContent.Create(new { sku = change.Sku, quantity = -change.Delta, reference = change.Reference }),
            },
            _ => new HttpRequestMessage(HttpMethod.Post, "/api/adjustments")
            {
                Content = JsonContent.Create(new { sku = change.Sku, delta = change.Delta, reason = change.Reference }),
            },
        };
        request.Headers.Add("Idempotency-Key", change.IdempotencyKey);
        using var response = await CallAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            var level = await response.Content.ReadFromJsonAsync<LevelAnswer>(JsonSerializerOptions.Web, ct)
                ?? throw new ExternalSystemUnavailableException("The system answered the change with an empty body.");
            return new DeliveryResult(new ExternalLevel(level.Sku ?? change.Sku, level.OnHand, level.Version, level.UpdatedAt ?? clock.GetUtcNow()), null);
        }
        var detail = await ReadProblemAsync(response, ct);
        return new DeliveryResult(null, $"{(int)response.StatusCode} {detail}");
    }

    /// <summary>The system's whole stock book, for reconciliation.</summary>
    public async Task<IReadOnlyList<ExternalLevel>> GetStockAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stock");
        using var response = await CallAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new ExternalSystemUnavailableException($"The stock book was refused: {(int)response.StatusCode} {await ReadProblemAsync(response, ct)}");
        }
        var items = await response.Content.ReadFromJsonAsync<List<LevelAnswer>>(JsonSerializerOptions.Web, ct) ?? [];
        return [.. items.Where(i => i.Sku is not null).Select(i => new ExternalLevel(i.Sku!, i.OnHand, i.Version, i.UpdatedAt ?? clock.GetUtcNow()))];
    }

    /// <summary>The CSV feed as text (the CSV adapter reads it).</summary>
    public async Task<string> GetCsvFeedAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stock.csv");
        using var response = await CallAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new ExternalSystemUnavailableException($"The CSV feed was refused: {(int)response.StatusCode}");
        }
        return await response.Content.ReadAsStringAsync(ct);
    }

    private async Task<HttpResponseMessage> CallAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ExternalSystemUnavailableException($"No answer: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ExternalSystemUnavailableException("No answer in time.", e);
        }
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // 401/403 too: our key is wrong or rotated, which an operator fixes; the change must wait, not be dropped.
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new ExternalSystemUnavailableException($"The system answered {status}.");
        }
        return response;
    }

    private static async Task<string> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }
        }
        catch (JsonException)
        {
        }
        return text.Length > 300 ? text[..300] : text;
    }

    private sealed record LevelAnswer(string? Sku, int OnHand, long Version, DateTimeOffset? UpdatedAt);

    public static void Configure(HttpClient client, ExternalSystemOptions options)
    {
        client.BaseAddress = new Uri(options.BaseUrl);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        // The relay's pipeline times calls out itself; this only backs it up.
        client.Timeout = options.CallTimeout + TimeSpan.FromSeconds(5);
    }
}
