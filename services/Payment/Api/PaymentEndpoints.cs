using System.Security.Claims;
using System.Text;
using Marketplace.Payment.Data;
using Marketplace.Payment.Processing;
using Marketplace.Payment.Domain;
using Marketplace.Payment.Provider;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Payment.Api;

public sealed record PaymentDto(
    Guid PaymentId, Guid OrderId, string Status, string Requested, decimal Amount, string Currency,
    decimal CapturedAmount, decimal RefundedAmount, string? ProviderIntentId, string? DeclineReason,
    int Attempts, DateTimeOffset? NextAttemptAt, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<PaymentOperationDto> Operations);

public sealed record PaymentOperationDto(string Kind, string? IdempotencyKey, int? HttpStatus, string Outcome, DateTimeOffset At, int DurationMs);

public static class PaymentEndpoints
{
    public const string WebhookPath = "/api/payments/webhooks/provider";

    /// <summary>Webhooks are small; anything bigger is not from the provider.</summary>
    private const int MaxWebhookBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/payments/{orderId:guid}", GetPayment).RequireAuthorization().WithTags("Payments");
        // Anonymous by design: the provider proves itself with the signature, not a token.
        app.MapPost(WebhookPath, ReceiveProviderWebhook).AllowAnonymous().WithTags("Payments");
        return app;
    }

    /// <summary>The order's payment for its buyer, or any payment for an admin; 404 for everyone else, so ids reveal nothing.</summary>
    private static async Task<Results<Ok<PaymentDto>, ProblemHttpResult>> GetPayment(Guid orderId, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var payment = await db.PaymentIntents.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == orderId, ct);
        var isAdmin = user.IsInRole(MarketplacePolicies.Admin);
        var isBuyer = Guid.TryParse(user.FindFirstValue("sub"), out var subject) && subject != Guid.Empty && subject == payment?.BuyerId;
        if (payment is null || !(isAdmin || isBuyer))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Payment not found",
                detail: $"No payment of yours belongs to order {orderId}.");
        }
        var operations = await db.PaymentOperations.AsNoTracking()
            .Where(o => o.PaymentIntentId == payment.Id)
            .OrderBy(o => o.At)
            .Select(o => new PaymentOperationDto(o.Kind, o.IdempotencyKey, o.HttpStatus, o.Outcome, o.At, o.DurationMs))
            .ToListAsync(ct);
        return TypedResults.Ok(new PaymentDto(
            payment.Id, payment.OrderId, payment.Status.ToString(), payment.Desired.ToString(), payment.Amount, payment.Currency,
            payment.CapturedAmount, payment.RefundedAmount, payment.ProviderIntentId, payment.DeclineReason,
            payment.Attempts, payment.NextStep == Domain.PaymentStep.None ? null : payment.NextAttemptAt,
            // Provider errors name internal addresses; buyers see the status, admins the cause.
            isAdmin ? payment.LastError : null,
            payment.CreatedAt, payment.UpdatedAt, operations));
    }

    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveProviderWebhook(
        HttpRequest request, WebhookSignature signature, ProviderNotices notices, ILoggerFactory loggers, CancellationToken ct)
    {
        if (await request.ReadBoundedBodyAsync(MaxWebhookBytes, ct) is not { } bytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook too large", detail: $"At most {MaxWebhookBytes} bytes.");
        }
        var body = Encoding.UTF8.GetString(bytes);
        if (!signature.IsAuthentic(request.Headers[WebhookSignature.HeaderName], body))
        {
            PaymentTelemetry.RejectedWebhooks.Add(1);
            loggers.CreateLogger(typeof(PaymentEndpoints)).LogWarning("Webhook refused: missing, wrong or expired {Header}", WebhookSignature.HeaderName);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid webhook signature",
                detail: $"The {WebhookSignature.HeaderName} header is missing, does not match the body, or is older than the tolerance.");
        }
        ProviderNotice? notice;
        try
        {
            notice = StripeLikeProvider.ParseNotice(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable webhook", detail: "The body is not a provider event.");
        }
        if (notice is not null)
        {
            await notices.ApplyAsync(notice, ct);
        }
        // Events about anything else are acknowledged, so the provider does not retry them.
        return TypedResults.Ok();
    }
}
