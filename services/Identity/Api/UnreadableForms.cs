namespace Marketplace.Identity.Api;

public static class UnreadableForms
{
    /// <summary>
    /// OpenIddict reads the /connect/* forms inside authentication, before any endpoint or filter of ours:
    /// a form that cannot be read (a value over the form limits, a malformed body) is the client's error,
    /// answered here as a problem (400, or the server's own status such as 413) instead of failing as a 500.
    /// The form read here is kept, so OpenIddict does not read it again.
    /// </summary>
    public static IApplicationBuilder UseUnreadableFormsAsBadRequests(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/connect") && context.Request.HasFormContentType)
            {
                try
                {
                    await context.Request.ReadFormAsync(context.RequestAborted);
                }
                catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
                {
                    await Results.Problem(
                        statusCode: e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest,
                        title: "The form could not be read",
                        detail: e.Message).ExecuteAsync(context);
                    return;
                }
            }
            await next();
        });
}
