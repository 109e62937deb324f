using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting concerns every Marketplace service gets from one call: telemetry, health,
/// service discovery, resilient HttpClients, problem details and correlation ids.
/// </summary>
public static class MarketplaceServiceDefaults
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";

    /// <summary>
    /// The sources whose activities carry the trace context and correlation id across the broker and the outbox.
    /// Declared before <see cref="TracingSources"/>, which is built from it (static fields initialise in order).
    /// </summary>
    private static readonly string[] MessagingSources = ["MassTransit", "Marketplace.*"];

    /// <summary>ActivitySource names the services emit; MassTransit's own source included.</summary>
    public static readonly string[] TracingSources = [.. MessagingSources, "Npgsql"];

    /// <summary>
    /// Creates (without recording) the activities of MassTransit and of our own sources when no tracer provider
    /// samples them, so that what travels as their context — the W3C trace context and the correlation id in their
    /// baggage — still crosses the broker and the outbox. One per process, for as long as it runs.
    /// </summary>
    private static readonly Lazy<System.Diagnostics.ActivityListener> MessagingContextListener = new(() =>
    {
        var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => MessagingSources.Any(name => name.EndsWith('*')
                ? source.Name.StartsWith(name[..^1], StringComparison.Ordinal)
                : source.Name == name),
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.PropagationData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        return listener;
    });

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ApplyProcessPriority();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<CorrelationIdHandler>();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
            http.AddHttpMessageHandler<CorrelationIdHandler>();
        });

        // Every service describes its HTTP API (GET /openapi/v1.json); Development adds Scalar's UI at /scalar.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = $"Marketplace {builder.Environment.ApplicationName.Replace("Marketplace.", "", StringComparison.Ordinal)} API";
            document.Info.Description = "Errors are RFC 7807 problem details. Public paths are reached through the gateway with a bearer token from Identity; /internal paths take service tokens.";
            return Task.CompletedTask;
        }));

        builder.AddClientAddress();
        builder.AddRequestProblems();

        builder.Services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context =>
            {
                context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
                if (context.HttpContext.Items[CorrelationId.ItemKey] is string correlationId)
                {
                    context.ProblemDetails.Extensions["correlationId"] = correlationId;
                }
                context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            });

        return builder;
    }

    /// <summary>
    /// Bad input is the client's problem in every environment: binding failures throw (instead of a bare 400 in
    /// Production) so <see cref="RequestProblems"/> can answer with a problem naming the field, and JSON strings
    /// are plain text (<see cref="PlainTextConverter"/>).
    /// </summary>
    private static void AddRequestProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new PlainTextConverter()));
        builder.Services.AddExceptionHandler<RequestProblems>();
        builder.Services.TryAddSingleton(TimeProvider.System);
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        // Four lines per outgoing request at Information (every price lookup, contact, provider call) cost
        // more than they tell; traces keep the calls. Configuration can still turn them back on.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // Polly reports every successful attempt of every resilient call at Information: one more line per call,
        // and a console lock every request waits on. Retries and failures are Warnings and still show.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        // Telemetry is recorded only when something receives it (the dashboard, or a collector in a deployment). Spans
        // and measurements that go nowhere still cost their activities, tags and aggregation on every request and
        // message: a visible share of each service's CPU in the flash-sale profiles of tests and benchmarks, which
        // run without a dashboard.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            builder.Services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("MassTransit", "Marketplace.*", "Npgsql", "Microsoft.EntityFrameworkCore"))
                .WithTracing(tracing => tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource(TracingSources)
                    .AddAspNetCoreInstrumentation(o =>
                        o.Filter = ctx => !ctx.Request.Path.StartsWithSegments(HealthEndpointPath)
                                       && !ctx.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }
        else
        {
            // Client integrations (Npgsql, Redis) register tracing of their own: with nothing to send spans to, none is sampled.
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new AlwaysOffSampler()));
            // The messaging activities are still created, unrecorded: the correlation id crosses the broker as their baggage.
            _ = MessagingContextListener.Value;
        }

        return builder;
    }

    /// <summary>
    /// <c>Marketplace:ProcessPriority</c> (e.g. <c>BelowNormal</c>) lowers this process's CPU priority. Run locally, where every
    /// service shares a few cores, the AppHost gives it to the services whose work no buyer waits on at the click
    /// (payment, notification, search, profiles, the simulators): in a burst the click's path gets the CPU first and the
    /// rest catches up after, as it would with cores of its own when deployed (where it is not set).
    /// </summary>
    private static void ApplyProcessPriority(this IHostApplicationBuilder builder)
    {
        if (Enum.TryParse<System.Diagnostics.ProcessPriorityClass>(builder.Configuration["Marketplace:ProcessPriority"], ignoreCase: true, out var priority)
            && priority is System.Diagnostics.ProcessPriorityClass.BelowNormal or System.Diagnostics.ProcessPriorityClass.Idle)
        {
            ProcessPriority.Lower(priority);
        }
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// The pipeline every service starts with: the client's address from a trusted proxy, problem details for
    /// exceptions and bare status codes (<see cref="RequestProblems"/> for unreadable requests), correlation
    /// ids, health and the OpenAPI document. Authentication and the service's endpoints follow.
    /// </summary>
    public static WebApplication UseMarketplaceDefaults(this WebApplication app)
    {
        app.UseClientAddress();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) => RequestProblems.RefuseOversizedBodyAsync(context, () => next(context)));
        app.Use((context, next) => RequestProblems.RefuseUnprintableInputAsync(context, () => next(context)));
        return app.MapDefaultEndpoints();
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every registered dependency) and <c>/alive</c> (liveness: the
    /// process answers), and installs the correlation-id middleware. Health endpoints stay mapped in
    /// every environment because orchestrators probe them; they reveal only status names.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
        });
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }
        return app;
    }
}
