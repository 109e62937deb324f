using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marketplace.Payment.Domain;
using Polly;

namespace Marketplace.Payment.Provider;

/// <summary>
/// The adapter for our Stripe-like provider (the PaymentProvider simulator): JSON over HTTP, amounts
/// in minor units, <c>Idempotency-Key</c> on every POST, errors as <c>{"error":{type,code,message}}</c>.
/// </summary>
public sealed class StripeLikeProvider(HttpClient http) : IPaymentProvider
{
    /// <summary>Answers that are the provider's decision about the request, not a failure to reach it.</summary>
    private static readonly HashSet<string> BusinessCodes =
        ["card_declined", "payment_intent_unexpected_state", "amount_too_large", "charge_already_refunded"];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public Task<IntentAnswer> AuthorizeAsync(AuthorizationRequest request, string idempotencyKey, CancellationToken ct) =>
        SendForIntentAsync(HttpMethod.Post, "v1/payment_intents", new CreateIntentBody(
            Money.ToMinorUnits(request.Amount, request.Currency), request.Currency.ToLowerInvariant(), request.PaymentMethod, "manual",
            new Dictionary<string, string> { ["order_id"] = request.OrderId.ToString() }), idempotencyKey, ct);

    public Task<IntentAnswer> RetrieveAsync(string providerIntentId, CancellationToken ct) =>
        SendForIntentAsync(HttpMethod.Get, $"v1/payment_intents/{Uri.EscapeDataString(providerIntentId)}", body: null, idempotencyKey: null, ct);

    public Task<IntentAnswer> CaptureAsync(string providerIntentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        SendForIntentAsync(HttpMethod.Post, $"v1/payment_intents/{Uri.EscapeDataString(providerIntentId)}/capture",
            new CaptureBody(Money.ToMinorUnits(amount, currency)), idempotencyKey, ct);

    public Task<IntentAnswer> CancelAsync(string providerIntentId, string idempotencyKey, CancellationToken ct) =>
        SendForIntentAsync(HttpMethod.Post, $"v1/payment_intents/{Uri.EscapeDataString(providerIntentId)}/cancel", new { }, idempotencyKey, ct);

    public async Task<RefundAnswer> RefundAsync(string providerIntentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, "v1/refunds", new RefundBody(providerIntentId, Money.ToMinorUnits(amount, currency)), idempotencyKey, ct);
        if (status == HttpStatusCode.OK)
        {
            var refund = json.Deserialize<RefundResource>(Json) ?? throw Unreadable(status);
            return new RefundAnswer((int)status, refund.Id, Money.FromMinorUnits(refund.Amount, currency), null);
        }
        return AsRefusal(status, json) is { } refusal
            ? new RefundAnswer((int)status, null, 0, refusal.Refusal)
            : throw NoAnswer(status, json);
    }

    /// <summary>Reads a webhook body; null when it is not about a payment intent.</summary>
    public static ProviderNotice? ParseNotice(string body)
    {
        var evt = JsonSerializer.Deserialize<EventResource>(body, Json);
        if (evt?.Data?.Object is not { Object: "payment_intent" } intent || evt.Id is null || evt.Type is null)
        {
            return null;
        }
        return new ProviderNotice(evt.Id, evt.Type, ToIntent(intent));
    }

    private async Task<IntentAnswer> SendForIntentAsync(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken ct)
    {
        var (status, json) = await SendAsync(method, path, body, idempotencyKey, ct);
        if (status == HttpStatusCode.OK)
        {
            var intent = json.Deserialize<IntentResource>(Json) ?? throw Unreadable(status);
            return new IntentAnswer((int)status, ToIntent(intent), null);
        }
        return AsRefusal(status, json) is { Intent: { } refused } answer
            ? new IntentAnswer((int)status, ToIntent(refused), answer.Refusal)
            : throw NoAnswer(status, json);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        if (idempotencyKey is not null)
        {
            // Polly's retries re-send this same request, key included: the provider answers a retry with the first outcome.
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        try
        {
            using var response = await http.SendAsync(request, ct);
            var status = response.StatusCode;
            if ((int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
            {
                throw new PaymentProviderException((int)status, $"The provider answered {(int)status} {response.ReasonPhrase}.");
            }
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            return (status, json);
        }
        catch (Exception e) when (e is HttpRequestException or ExecutionRejectedException or JsonException
                                  || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new PaymentProviderException(null, $"No answer from the provider: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private static (ProviderRefusal Refusal, IntentResource? Intent)? AsRefusal(HttpStatusCode status, JsonElement json)
    {
        if (status is not (HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired) || json.ValueKind != JsonValueKind.Object
            || !json.TryGetProperty("error", out var errorJson))
        {
            return null;
        }
        var error = errorJson.Deserialize<ErrorResource>(Json);
        if (error?.Code is not { } code || !BusinessCodes.Contains(code))
        {
            return null;
        }
        return (new ProviderRefusal(code, error.Message ?? code), error.PaymentIntent);
    }

    private static ProviderIntent ToIntent(IntentResource intent)
    {
        var currency = (intent.Currency ?? "usd").ToUpperInvariant();
        var status = intent.Status switch
        {
            "processing" => ProviderIntentStatus.Processing,
            "requires_capture" => ProviderIntentStatus.Authorized,
            "succeeded" => ProviderIntentStatus.Captured,
            "canceled" => ProviderIntentStatus.Canceled,
            _ => ProviderIntentStatus.Declined,
        };
        return new ProviderIntent(
            intent.Id ?? throw new JsonException("A payment intent without an id."),
            status,
            Money.FromMinorUnits(intent.AmountReceived, currency),
            Money.FromMinorUnits(intent.AmountRefunded, currency),
            intent.LastPaymentError?.Code ?? (status == ProviderIntentStatus.Declined ? "declined" : null),
            intent.Metadata?.GetValueOrDefault("order_id"));
    }

    private static PaymentProviderException Unreadable(HttpStatusCode status) => new((int)status, "The provider's answer could not be read.");

    private static PaymentProviderException NoAnswer(HttpStatusCode status, JsonElement json)
    {
        var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var error) ? error.ToString() : json.ToString();
        return new PaymentProviderException((int)status, $"The provider answered {(int)status}: {detail}");
    }

    private sealed record CreateIntentBody(long Amount, string Currency, string PaymentMethod, string CaptureMethod, Dictionary<string, string> Metadata);

    private sealed record CaptureBody(long AmountToCapture);

    private sealed record RefundBody(string PaymentIntent, long Amount);

    private sealed record IntentResource(
        string? Id, string? Object, string? Status, string? Currency, long AmountReceived, long AmountRefunded,
        Dictionary<string, string>? Metadata, PaymentErrorResource? LastPaymentError);

    private sealed record PaymentErrorResource(string? Code, string? DeclineCode, string? Message);

    private sealed record ErrorResource(string? Type, string? Code, string? Message, IntentResource? PaymentIntent);

    private sealed record RefundResource(string Id, long Amount, string? Status);

    private sealed record EventResource(string? Id, string? Type, EventData? Data);

    private sealed record EventData(IntentResource? Object);
}
