namespace Marketplace.Web;

/// <summary>Browser hardening for every response of the web app.</summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts only from this origin (the app renders no inline script: no import map), styles inline
    /// too (MudBlazor sets style attributes), the SignalR circuit to this origin, and forms may post only
    /// here or to the sign-in authority (sign-out is a form whose redirects end there). With a CDN
    /// (<c>Storefront:CdnBaseUrl</c>), scripts, styles, fonts and images may also come from its origin.
    /// </summary>
    public static string ContentSecurityPolicy(string? authority, string? cdnOrigin = null)
    {
        var formTargets = Uri.TryCreate(authority, UriKind.Absolute, out var uri) ? $"'self' {uri.GetLeftPart(UriPartial.Authority)}" : "'self'";
        var assets = cdnOrigin is null ? "'self'" : $"'self' {cdnOrigin}";
        return $"default-src 'self'; script-src {assets}; style-src {assets} 'unsafe-inline'; img-src {assets} data:; font-src {assets} data:; " +
               $"connect-src 'self'; form-action {formTargets}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string? authority, string? cdnOrigin = null)
    {
        var policy = ContentSecurityPolicy(authority, cdnOrigin);
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
