using System.Text.Json;
using System.Text.Json.Serialization;

namespace Marketplace.PaymentProvider;

/// <summary>The wire format of <c>/v1</c> and of webhooks: Stripe's snake_case JSON.</summary>
public static class ProviderJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public static class IntentStatus
{
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string Processing = "processing";
    public const string RequiresCapture = "requires_capture";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";
}

/// <summary>Test cards: these payment methods behave the same every time.</summary>
public static class TestCards
{
    public const string Declined = "pm_card_declined";
    public const string Async = "pm_card_async";
    public const string AsyncDeclined = "pm_card_async_declined";
}

public sealed record CreateIntentRequest(long? Amount, string? Currency, string? PaymentMethod, string? CaptureMethod, Dictionary<string, string>? Metadata);

public sealed record CaptureRequest(long? AmountToCapture);

public sealed record RefundRequest(string? PaymentIntent, long? Amount);

public sealed record PaymentError(string Code, string DeclineCode, string Message);

/// <summary>A payment intent as the API shows it. <c>amount_refunded</c> is this simulator's addition (Stripe keeps it on the charge).</summary>
public sealed record IntentView(
    string Id, string Object, long Amount, long AmountCapturable, long AmountReceived, long AmountRefunded,
    string Currency, string Status, string PaymentMethod, string CaptureMethod,
    IReadOnlyDictionary<string, string> Metadata, long Created, PaymentError? LastPaymentError);

public sealed record RefundView(string Id, string Object, long Amount, string Currency, string PaymentIntent, string Status, long Created);

public sealed record ErrorBody(ErrorDetail Error);

public sealed record ErrorDetail(string Type, string? Code, string Message, string? Param = null, string? DeclineCode = null, IntentView? PaymentIntent = null);

public sealed record ProviderEvent(string Id, string Object, string Type, long Created, ProviderEventData Data);

public sealed record ProviderEventData(IntentView Object);

/// <summary>An answer of the API: its status code and body.</summary>
public readonly record struct ApiAnswer(int StatusCode, object Body)
{
    public static ApiAnswer Ok(object body) => new(StatusCodes.Status200OK, body);

    public static ApiAnswer InvalidRequest(string? code, string message, string? param = null, IntentView? intent = null) =>
        new(StatusCodes.Status400BadRequest, new ErrorBody(new ErrorDetail("invalid_request_error", code, message, param, PaymentIntent: intent)));

    public static ApiAnswer NotFound(string id) =>
        new(StatusCodes.Status404NotFound, new ErrorBody(new ErrorDetail("invalid_request_error", "resource_missing", $"No such object: '{id}'")));

    public IResult ToResult() => Results.Json(Body, ProviderJson.Options, statusCode: StatusCode);
}
