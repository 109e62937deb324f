using Marketplace.Ordering.Application;
using Marketplace.Ordering.Data;
using Marketplace.ServiceDefaults.Authentication;

namespace Marketplace.Ordering.Api;

/// <summary>
/// <c>POST /api/orders</c> over HTTP: the buyer from the token, the <c>Idempotency-Key</c> header and the body's bytes
/// (at most <see cref="MaxBodyBytes"/>) go to <see cref="PlaceOrder"/>; its answer goes back byte for byte as stored,
/// marked <c>Idempotent-Replayed</c> when it is a replay.
/// </summary>
public static class PlaceOrderEndpoint
{
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task<IResult> HandleAsync(HttpContext http, PlaceOrder place, CancellationToken ct)
    {
        if (http.User.UserId() is not { } buyer)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Shoppers only", detail: "Orders are placed with a shopper's own token.");
        }
        var key = http.Request.Headers["Idempotency-Key"].ToString().Trim();
        if (key.Length is 0 or > IdempotencyRecord.MaxKeyLength)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key required",
                detail: $"Send a unique Idempotency-Key header (1 to {IdempotencyRecord.MaxKeyLength} characters) with every order, and the same one when you retry it, so it is placed once.");
        }
        var body = await http.Request.ReadBoundedBodyAsync(MaxBodyBytes, ct);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Order too large", detail: $"An order request is at most {MaxBodyBytes} bytes.");
        }
        return await place.PlaceAsync(new PlaceOrderCommand(buyer, key, body, order => OrderDto.From(order, includeHistory: false)), ct) switch
        {
            PlaceOrderResult.Answered answer => new StoredResponse(answer),
            PlaceOrderResult.KeyReused => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                detail: "This Idempotency-Key was used for a different order. Use a new key for a new order; send the same body to retry the old one."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Prices unavailable",
                detail: "The catalogue could not be reached to price the order. Nothing was placed; try again with the same Idempotency-Key."),
        };
    }

    /// <summary>An answer as stored: the same status and bytes every time, marked when it is a replay.</summary>
    private sealed class StoredResponse(PlaceOrderResult.Answered answer) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = answer.StatusCode;
            http.Response.ContentType = answer.StatusCode >= 400 ? "application/problem+json" : "application/json";
            if (answer.OrderId is { } id && answer.StatusCode == StatusCodes.Status201Created)
            {
                http.Response.Headers.Location = $"/api/orders/{id}";
            }
            if (answer.Replayed)
            {
                http.Response.Headers["Idempotent-Replayed"] = "true";
            }
            await http.Response.WriteAsync(answer.Body, http.RequestAborted);
        }
    }
}
