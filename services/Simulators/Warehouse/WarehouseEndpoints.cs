using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Marketplace.Warehouse;

public static class WarehouseEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static IHostApplicationBuilder AddWarehouseSimulator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WarehouseOptions>().BindConfiguration(WarehouseOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WarehouseOptions>, WarehouseOptionsValidation>();
        // A malformed body is the caller's mistake in every environment: a 400 problem (through the status code pages), not a 500.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        builder.Services.AddSingleton(sp => new WarehouseSwitches(sp.GetRequiredService<IOptions<WarehouseOptions>>().Value.InitialSettings()));
        builder.Services.AddSingleton<StockBook>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddHostedService<SnapshotSchedule>();
        // The dispatcher retries on its own schedule; the default resilience handler would retry inside each attempt too.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to opt one client out of ConfigureHttpClientDefaults
        builder.Services.AddHttpClient(WebhookDispatcher.ClientName)
            .ConfigureHttpClient((sp, c) => c.Timeout = sp.GetRequiredService<IOptions<WarehouseOptions>>().Value.WebhookTimeout)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>The warehouse's API under <c>/api</c>, behind the gate (latency, outage, API key, injected errors).</summary>
    public static WebApplication MapWarehouseApi(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseMiddleware<WarehouseGate>());

        var api = app.MapGroup("/api").WithTags("Warehouse API").AddEndpointFilter(InjectedFailure.Filter);
        api.MapGet("/stock", (StockBook book) => TypedResults.Ok(book.Items()));
        api.MapGet("/stock.csv", (StockBook book) => TypedResults.Text(StockCsv.Write(book.Items()), StockCsv.ContentType));
        api.MapGet("/stock/{sku}", GetStock);
        api.MapPost("/adjustments", Adjust);
        api.MapPost("/commits", Commit);
        api.MapPost("/reservations", Reserve);
        api.MapDelete("/reservations/{reservationId}", Release);
        return app;
    }

    /// <summary>The simulator's console (not part of the warehouse's API; no key needed).</summary>
    public static WebApplication MapSimulatorControls(this WebApplication app)
    {
        var sim = app.MapGroup("/sim").WithTags("Simulator");
        sim.MapGet("/settings", (WarehouseSwitches switches) => TypedResults.Ok(switches.Current));
        sim.MapPut("/settings", Results<Ok<WarehouseSettings>, ValidationProblem> (WarehouseSettingsUpdate update, WarehouseSwitches switches) =>
            WarehouseSwitches.Validate(update) is { Count: > 0 } errors ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(switches.Apply(update)));
        sim.MapPut("/stock/{sku}", (string sku, CountRequest request, StockBook book) => Count(sku, request, book, announce: true));
        sim.MapPost("/drift/{sku}", (string sku, CountRequest request, StockBook book) => Count(sku, request, book, announce: false));
        sim.MapPost("/snapshot", Results<Accepted<WarehouseEvent>, ProblemHttpResult> (StockBook book, WebhookDispatcher webhooks) =>
            webhooks.Enabled
                ? TypedResults.Accepted((string?)null, book.PublishSnapshot())
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Webhooks are not configured",
                    detail: "Warehouse:WebhookUrl is empty, so a snapshot would go nowhere."));
        sim.MapGet("/requests", (string? sku, StockBook book) => TypedResults.Ok(book.Requests(sku)));
        sim.MapDelete("/requests", (StockBook book) =>
        {
            book.ForgetRequests();
            return TypedResults.NoContent();
        });
        sim.MapGet("/deliveries", (string? sku, WebhookDispatcher webhooks) => TypedResults.Ok(webhooks.Deliveries(sku)));
        sim.MapDelete("/deliveries", (WebhookDispatcher webhooks) =>
        {
            webhooks.ForgetFinished();
            return TypedResults.NoContent();
        });
        return app;
    }

    private static Results<Ok<StockItem>, ProblemHttpResult> GetStock(string sku, StockBook book) =>
        book.Find(sku) is { } item
            ? TypedResults.Ok(item)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown SKU", detail: $"The warehouse has no SKU '{sku}'.");

    private static Results<Ok<StockChange>, ValidationProblem, ProblemHttpResult> Adjust(
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, AdjustmentRequest request, StockBook book, HttpResponse response)
    {
        var errors = new Dictionary<string, string[]>();
        CheckIdempotencyKey(idempotencyKey, errors);
        CheckSku(request.Sku, "sku", errors);
        if (request.Delta is null or 0)
        {
            errors["delta"] = ["Required, and not 0."];
        }
        if (request.Reason is { Length: > 500 })
        {
            errors["reason"] = ["At most 500 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var answer = book.Adjust(idempotencyKey!, request);
        return answer.Refusal is { } refusal ? Problem(refusal) : Answered(answer, response);
    }

    private static Results<Ok<StockChange>, ValidationProblem, ProblemHttpResult> Commit(
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, CommitRequest request, StockBook book, HttpResponse response)
    {
        var errors = new Dictionary<string, string[]>();
        CheckIdempotencyKey(idempotencyKey, errors);
        CheckSku(request.Sku, "sku", errors);
        if (request.Quantity is null or <= 0)
        {
            errors["quantity"] = ["Required, and positive."];
        }
        if (string.IsNullOrWhiteSpace(request.Reference) || request.Reference.Length > 200)
        {
            errors["reference"] = ["Required, at most 200 characters."];
        }
        if (request.ReservationId is not null)
        {
            CheckId(request.ReservationId, "reservationId", errors);
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var answer = book.Commit(idempotencyKey!, request);
        return answer.Refusal is { } refusal ? Problem(refusal) : Answered(answer, response);
    }

    private static Results<Ok<ReservationView>, ValidationProblem, ProblemHttpResult> Reserve(ReservationRequest request, StockBook book, HttpResponse response)
    {
        var errors = new Dictionary<string, string[]>();
        CheckId(request.ReservationId, "reservationId", errors);
        CheckSku(request.Sku, "sku", errors);
        if (request.Quantity is null or <= 0)
        {
            errors["quantity"] = ["Required, and positive."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var answer = book.Reserve(request);
        return answer.Refusal is { } refusal ? Problem(refusal) : Answered(answer, response);
    }

    private static Results<Ok<ReservationView>, ProblemHttpResult> Release(string reservationId, StockBook book, HttpResponse response)
    {
        var answer = book.Release(reservationId);
        return answer.Refusal is { } refusal ? Problem(refusal) : Answered(answer, response);
    }

    private static Results<Ok<StockItem>, ValidationProblem, ProblemHttpResult> Count(string sku, CountRequest request, StockBook book, bool announce)
    {
        var errors = new Dictionary<string, string[]>();
        CheckSku(sku, "sku", errors);
        if (request.OnHand is null or < 0)
        {
            errors["onHand"] = ["Required, and not negative."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var answer = book.Count(sku, request.OnHand!.Value, announce);
        return answer.Refusal is { } refusal ? Problem(refusal) : TypedResults.Ok(answer.Value!);
    }

    private static Ok<T> Answered<T>(BookAnswer<T> answer, HttpResponse response) where T : class
    {
        if (answer.Replayed)
        {
            response.Headers[ReplayedHeader] = "true";
        }
        return TypedResults.Ok(answer.Value!);
    }

    private static ProblemHttpResult Problem(Refusal refusal) =>
        TypedResults.Problem(statusCode: refusal.StatusCode, title: refusal.Title, detail: refusal.Detail);

    private static void CheckIdempotencyKey(string? key, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 255)
        {
            errors[IdempotencyHeader] = ["This header is required on every adjustment and commit (at most 255 characters)."];
        }
    }

    /// <summary>SKUs are opaque text, but one line of it, without padding, so every feed shows them as they are.</summary>
    private static void CheckSku(string? sku, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(sku) || sku.Length > 100 || sku.Any(char.IsControl) || sku.Trim() != sku)
        {
            errors[field] = ["Required: 1 to 100 characters, no control characters, no leading or trailing spaces."];
        }
    }

    private static void CheckId(string? id, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 100)
        {
            errors[field] = ["Required, at most 100 characters."];
        }
    }
}
