using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Marketplace.PaymentProvider;

public static class ProviderEndpoints
{
    public static IHostApplicationBuilder AddPaymentProviderSimulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProviderOptions>()
            .BindConfiguration(ProviderOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "PaymentProvider:ApiKey is required: the AppHost provides it.")
            .Validate(o => string.IsNullOrWhiteSpace(o.WebhookUrl) || !string.IsNullOrWhiteSpace(o.WebhookSecret),
                "PaymentProvider:WebhookSecret is required when PaymentProvider:WebhookUrl is set.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ProviderOptions>>().Value;
            return new SimulatorSwitches(new SimulatorSettings(o.LatencyMs, o.DeclineRate, o.AsyncRate, o.AsyncDelayMs, Outage: false));
        });
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<PaymentBook>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        // The dispatcher retries on its own schedule; the default resilience handler would retry inside each attempt too.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to opt one client out of ConfigureHttpClientDefaults
        builder.Services.AddHttpClient(WebhookDispatcher.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>The Stripe-like API under <c>/v1</c>, behind the gate (latency, outage, API key, idempotency).</summary>
    public static WebApplication MapProviderApi(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/v1"), v1 => v1.UseMiddleware<ProviderGate>());

        var v1 = app.MapGroup("/v1").WithTags("Provider API");
        v1.MapPost("/payment_intents", async (HttpRequest request, PaymentBook book) =>
            await ReadAsync<CreateIntentRequest>(request) is { } body ? book.Create(body).ToResult() : Malformed());
        v1.MapGet("/payment_intents/{id}", (string id, PaymentBook book) => book.Get(id).ToResult());
        v1.MapPost("/payment_intents/{id}/capture", async (string id, HttpRequest request, PaymentBook book) =>
            await ReadAsync<CaptureRequest>(request, allowEmpty: true) is { } body ? book.Capture(id, body).ToResult() : Malformed());
        v1.MapPost("/payment_intents/{id}/cancel", (string id, PaymentBook book) => book.Cancel(id).ToResult());
        v1.MapPost("/refunds", async (HttpRequest request, PaymentBook book) =>
            await ReadAsync<RefundRequest>(request) is { } body ? book.Refund(body).ToResult() : Malformed());
        return app;
    }

    /// <summary>The simulator's own switches and books (not part of the provider's API; no key needed).</summary>
    public static WebApplication MapSimulatorControls(this WebApplication app)
    {
        var sim = app.MapGroup("/sim").WithTags("Simulator");
        sim.MapGet("/settings", (SimulatorSwitches switches) => TypedResults.Ok(switches.Current));
        sim.MapPut("/settings", Results<Ok<SimulatorSettings>, ValidationProblem> (SimulatorSettingsUpdate update, SimulatorSwitches switches) =>
        {
            var errors = switches.Validate(update);
            return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(switches.Apply(update));
        });
        sim.MapGet("/orders/{orderId}", Results<Ok<OrderLedger>, ProblemHttpResult> (string orderId, PaymentBook book) =>
            book.Order(orderId) is { } ledger
                ? TypedResults.Ok(ledger)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order unknown to the provider",
                    detail: $"No payment intent carries metadata.order_id '{orderId}'."));
        sim.MapGet("/stats", (PaymentBook book) => TypedResults.Ok(book.Stats()));
        return app;
    }

    private static async Task<T?> ReadAsync<T>(HttpRequest request, bool allowEmpty = false) where T : class
    {
        if (allowEmpty && request.ContentLength is 0 or null && !request.Headers.ContentType.Any())
        {
            return JsonSerializer.Deserialize<T>("{}", ProviderJson.Options);
        }
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ProviderJson.Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Malformed() =>
        ApiAnswer.InvalidRequest("parameter_invalid", "The request body must be a JSON object with the documented fields.").ToResult();
}
