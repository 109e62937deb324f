using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Marketplace.Gateway;

public sealed class RateLimitOptions
{
    /// <summary>Requests per window for a signed-in user (by subject) on every route.</summary>
    public int PerUserPermits { get; set; } = 600;
    /// <summary>Requests per window for an anonymous caller (by client address).</summary>
    public int PerAddressPermits { get; set; } = 300;
    /// <summary>Order placements per window per user: checkout is the expensive path.</summary>
    public int OrderPermits { get; set; } = 10;
    /// <summary>
    /// Webhook calls per window per sender address. A third party's deliveries come in bursts (a warehouse snapshot,
    /// a sale's payments), so they have a bucket of their own instead of the anonymous one, but not an unlimited one.
    /// </summary>
    public int WebhookPermits { get; set; } = 3000;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Rate limits per user when a valid token is present, else per client address, with a stricter
/// limit on <c>POST /api/orders</c>. A refused request gets 429, Retry-After and problem details.
/// Limits are per gateway instance (each replica counts its own traffic).
/// </summary>
public static class RateLimiting
{
    public const string OrdersPolicy = "orders";
    public const string WebhooksPolicy = "webhooks";

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Gateway:RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (IsWebhook(context))
                {
                    return RateLimitPartition.GetNoLimiter("webhooks");
                }
                var user = context.User.FindFirstValue("sub");
                return user is not null
                    ? Window("user:" + user, options.PerUserPermits, options.Window)
                    : Window("address:" + context.Connection.RemoteIpAddress, options.PerAddressPermits, options.Window);
            });
            limiter.AddPolicy(OrdersPolicy, context =>
                Window("orders:" + (context.User.FindFirstValue("sub") ?? context.Connection.RemoteIpAddress?.ToString()), options.OrderPermits, options.Window));
            limiter.AddPolicy(WebhooksPolicy, context =>
                Window("webhooks:" + context.Connection.RemoteIpAddress, options.WebhookPermits, options.Window));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window;
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"The shop is busy: try again in {(int)Math.Ceiling(retryAfter.TotalSeconds)} seconds.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>
    /// Routes given <see cref="WebhooksPolicy"/> (appsettings.json) are limited by it alone: the sender's own bucket
    /// instead of the anonymous one.
    /// </summary>
    private static bool IsWebhook(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == WebhooksPolicy;

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        });
}
