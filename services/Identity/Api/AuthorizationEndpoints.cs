using System.Security.Claims;
using Marketplace.Identity.Domain;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Marketplace.Identity.Api;

/// <summary>
/// The browser-facing OpenID Connect endpoints: authorization (code + PKCE; OpenIddict has validated
/// the client, redirect URI and code challenge before this runs) and end session.
/// </summary>
public static class AuthorizationEndpoints
{
    public static IEndpointRouteBuilder MapAuthorizationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], Authorize).ExcludeFromDescription();
        app.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], EndSession).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Authorize(
        HttpContext context, UserManager<MarketplaceUser> users, SignInManager<MarketplaceUser> signIn, IOpenIddictScopeManager scopes)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var mustSignIn = !session.Succeeded || request.HasPromptValue(PromptValues.Login) || TooOld(session, request);
        if (mustSignIn)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return TokenEndpoint.Reject(Errors.LoginRequired, "The user is not signed in.");
            }
            // Back here after the sign-in page, without prompt=login (or it would loop).
            var parameters = context.Request.HasFormContentType
                ? context.Request.Form.Where(p => p.Key != Parameters.Prompt).ToList()
                : context.Request.Query.Where(p => p.Key != Parameters.Prompt).ToList();
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(parameters);
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentityConstants.ApplicationScheme]);
        }

        var user = await users.GetUserAsync(session.Principal!);
        if (user is null || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
        {
            await signIn.SignOutAsync();
            return TokenEndpoint.Reject(Errors.AccessDenied, "The account can no longer sign in.");
        }

        var identity = await TokenEndpoint.UserIdentityAsync(user, users, request.GetScopes(), scopes);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Ends the Identity session and returns to the client's registered post-logout address
    /// (OpenIddict has checked it against the client named by <c>id_token_hint</c> or <c>client_id</c>).
    /// </summary>
    private static async Task<IResult> EndSession(HttpContext context, SignInManager<MarketplaceUser> signIn)
    {
        if (string.IsNullOrEmpty(context.GetOpenIddictServerRequest()?.IdTokenHint))
        {
            // Nothing proves which app's session asks: a link on any site could sign people out. Ask them.
            return Results.Redirect("/account/signout");
        }
        await signIn.SignOutAsync();
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signout" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static bool TooOld(AuthenticateResult session, OpenIddictRequest request) =>
        request.MaxAge is { } maxAge && session.Properties?.IssuedUtc is { } issued
        && DateTimeOffset.UtcNow - issued > TimeSpan.FromSeconds(maxAge);
}
