using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The correlation id ties together every log line and response of one user action across services.
/// It arrives in <c>X-Correlation-Id</c> (or as W3C baggage), or is the trace id of the first hop.
/// </summary>
public static class CorrelationId
{
    public const string HeaderName = "X-Correlation-Id";
    public const string BaggageKey = "correlation.id";
    internal const string ItemKey = "Marketplace.CorrelationId";

    /// <summary>The correlation id of the current operation, if any.</summary>
    public static string? Current => Activity.Current?.GetBaggageItem(BaggageKey);

    internal static bool IsValid(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

internal sealed class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger, IHostEnvironment environment)
{
    /// <summary>In Development, which service answered (the gateway passes it through), for debugging and tests.</summary>
    public const string ServedByHeader = "X-Served-By";

    /// <summary>Development only: which replica of the service answered (host and process).</summary>
    public const string InstanceHeader = "X-Served-By-Instance";

    private static readonly string Instance = $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task InvokeAsync(HttpContext context)
    {
        string? incoming = context.Request.Headers[CorrelationId.HeaderName];
        var id = CorrelationId.IsValid(incoming) ? incoming!
            : CorrelationId.Current is { } fromBaggage && CorrelationId.IsValid(fromBaggage) ? fromBaggage
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;

        context.Items[CorrelationId.ItemKey] = id;
        Activity.Current?.SetBaggage(CorrelationId.BaggageKey, id);
        Activity.Current?.SetTag(CorrelationId.BaggageKey, id);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[CorrelationId.HeaderName] = id;
            if (environment.IsDevelopment() && !context.Response.Headers.ContainsKey(ServedByHeader))
            {
                context.Response.Headers[ServedByHeader] = environment.ApplicationName;
                context.Response.Headers[InstanceHeader] = Instance;
            }
            return Task.CompletedTask;
        });

        using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
        {
            await next(context);
        }
    }
}

/// <summary>Carries the current correlation id onto every outgoing HttpClient call.</summary>
internal sealed class CorrelationIdHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (CorrelationId.Current is { } id && !request.Headers.Contains(CorrelationId.HeaderName))
        {
            request.Headers.TryAddWithoutValidation(CorrelationId.HeaderName, id);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
