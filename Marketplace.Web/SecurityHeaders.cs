namespace Marketplace.Web;

/// <summary>Browser hardening for every response of the web app.</summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers["X-Content-Type-Options"] = "nosniff";
                headers["X-Frame-Options"] = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                // A Content-Security-Policy waits for a browser test of the interactive pages: Blazor's inline
                // import map needs a hash or nonce, or module loading silently breaks.
                return Task.CompletedTask;
            });
            await next();
        });
}
