using Marketplace.Simulators;
using Microsoft.Extensions.Options;

namespace Marketplace.Warehouse;

/// <summary>
/// What stands in front of every <c>/api</c> call, in this order: the simulated latency, the outage
/// switch (503, nothing done), the API key (401) and the error rate (500, before the change or,
/// with errorAfterApply, after it: see <see cref="InjectedFailure"/>).
/// </summary>
public sealed class WarehouseGate(RequestDelegate next, WarehouseSwitches switches, IOptions<WarehouseOptions> options)
{
    private readonly BearerKey _apiKey = new(options.Value.ApiKey);

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = switches.Current;
        if (settings.LatencyMs > 0)
        {
            await Task.Delay(settings.LatencyMs, context.RequestAborted);
        }
        if (settings.Outage)
        {
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Warehouse unavailable",
                detail: "The warehouse system is down (simulated outage); nothing was done.").ExecuteAsync(context);
            return;
        }
        if (!_apiKey.IsPresentedBy(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid API key",
                detail: "Send 'Authorization: Bearer <Warehouse:ApiKey>'.").ExecuteAsync(context);
            return;
        }
        if (settings.ErrorRate > 0 && Random.Shared.NextDouble() < settings.ErrorRate)
        {
            if (!settings.ErrorAfterApply)
            {
                await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Warehouse error",
                    detail: "The warehouse system failed (simulated); nothing was done.").ExecuteAsync(context);
                return;
            }
            context.Features.Set(InjectedFailure.Instance);
        }
        await next(context);
    }
}

/// <summary>
/// Marks a call to fail after its change is made: the <c>/api</c> endpoints' filter replaces the
/// answer with a 500, so the caller cannot tell that the change (and its kept answer) exists.
/// </summary>
public sealed class InjectedFailure
{
    public static readonly InjectedFailure Instance = new();

    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (context.HttpContext.Features.Get<InjectedFailure>() is null)
        {
            return result;
        }
        context.HttpContext.Response.Headers.Remove(WarehouseEndpoints.ReplayedHeader);
        return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Warehouse error",
                detail: "The warehouse system failed (simulated) after it had done what was asked.");
    }
}
