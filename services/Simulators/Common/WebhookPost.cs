using System.Text;

namespace Marketplace.Simulators;

/// <summary>How one attempt to deliver a webhook ended: the receiver's status code, or why there was none.</summary>
public readonly record struct WebhookAttempt(int? StatusCode, string? Error)
{
    public bool Delivered => StatusCode is >= 200 and < 300;

    /// <summary>A 4xx other than 408 and 429: the receiver refuses this event, and asking again would change nothing.</summary>
    public bool Refused => StatusCode is >= 400 and < 500 and not 408 and not 429;

    public override string ToString() => StatusCode is { } status ? $"HTTP {status}" : Error ?? "no answer";
}

public static class WebhookPost
{
    /// <summary>
    /// POSTs the JSON body once, signed with the attempt's own time (so a late retry still passes the
    /// receiver's timestamp window). Connection failures and timeouts become an attempt without a
    /// status; only <paramref name="ct"/> being cancelled throws.
    /// </summary>
    public static async Task<WebhookAttempt> SendAsync(
        HttpClient client, string url, string body, string signatureHeader, string secret, TimeProvider clock,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(signatureHeader, WebhookSignature.Sign(secret, clock.GetUtcNow().ToUnixTimeSeconds(), body));
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        try
        {
            using var response = await client.SendAsync(request, ct);
            return new WebhookAttempt((int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new WebhookAttempt(null, e.Message);
        }
    }
}
