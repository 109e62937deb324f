namespace Marketplace.Identity.Api;

public static class SecurityHeaders
{
    /// <summary>
    /// Browser hardening for the sign-in pages. No inline script or style is ever needed here. There is
    /// no form-action directive: after sign-in the browser is redirected on to each client's redirect URI.
    /// </summary>
    public static IApplicationBuilder UseIdentitySecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            await next();
        });
}
