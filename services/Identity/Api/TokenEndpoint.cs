using System.Security.Claims;
using Marketplace.Identity.Domain;
using Marketplace.Identity.Security;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Marketplace.Identity.Api;

/// <summary>
/// The token endpoint's grants that need our code: password (the Development client only; OpenIddict
/// checks the client's permissions), authorization code and refresh token (the account must still be allowed to sign in)
/// and client credentials (our services calling each other).
/// </summary>
public static class TokenEndpoint
{
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", Exchange).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Exchange(
        HttpContext context,
        UserManager<MarketplaceUser> users,
        SignInManager<MarketplaceUser> signIn,
        IOpenIddictScopeManager scopes,
        IOpenIddictApplicationManager applications,
        PasswordCheck passwords,
        SignInThrottle throttle)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsPasswordGrantType())
        {
            var login = request.Username ?? "";
            var address = context.Connection.RemoteIpAddress;
            if (await throttle.AdmitAsync(login, address) is { } wait)
            {
                return TooManyAttemptsProblem(context, wait);
            }
            var user = await passwords.CheckAsync(login, request.Password ?? "");
            if (user is null)
            {
                return Reject(Errors.InvalidGrant, "The user name or password is wrong.");
            }
            await throttle.SucceededAsync(login, address);
            var identity = await UserIdentityAsync(user, users, request.GetScopes(), scopes);
            return SignIn(identity);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // OpenIddict has validated the code (and its PKCE verifier) or the refresh token.
            var authenticated = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var subject = authenticated.Principal?.GetClaim(Claims.Subject);
            var user = subject is null ? null : await users.FindByIdAsync(subject);
            if (user is null || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
            {
                return Reject(Errors.InvalidGrant, "The account can no longer sign in.");
            }
            // Roles and merchant may have changed since the refresh token was issued: build the identity afresh.
            var identity = await UserIdentityAsync(user, users, authenticated.Principal!.GetScopes(), scopes);
            return SignIn(identity);
        }

        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!)
                ?? throw new InvalidOperationException("The client application cannot be found.");
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId);
            identity.SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application) ?? request.ClientId);
            // What internal endpoints require: a token one of our services got for itself, never a user's.
            identity.SetClaims(Claims.Role, [Roles.Service]);
            identity.SetScopes(request.GetScopes());
            identity.SetResources(await scopes.ListResourcesAsync(identity.GetScopes()).ToListAsync());
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return SignIn(identity);
        }

        return Reject(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    /// <summary>The claims every service relies on: subject, name, e-mail, roles and, for merchants, the merchant id.</summary>
    public static async Task<ClaimsIdentity> UserIdentityAsync(
        MarketplaceUser user, UserManager<MarketplaceUser> users, IEnumerable<string> requestedScopes, IOpenIddictScopeManager scopes)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString());
        identity.SetClaim(Claims.Name, string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email : user.DisplayName);
        identity.SetClaim(Claims.Email, user.Email);
        identity.SetClaim(Claims.EmailVerified, user.EmailConfirmed);
        identity.SetClaim(Claims.PreferredUsername, user.UserName);
        identity.SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        if (user.MerchantId is { } merchantId)
        {
            identity.SetClaim(MarketplaceClaims.MerchantId, merchantId.ToString());
        }

        identity.SetScopes(requestedScopes);
        identity.SetResources(await scopes.ListResourcesAsync(identity.GetScopes()).ToListAsync());
        identity.SetDestinations(claim => claim.Type switch
        {
            // The identity token carries only what the scopes the client asked for allow.
            Claims.Name or Claims.PreferredUsername when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email or Claims.EmailVerified when identity.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Role when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            MarketplaceClaims.MerchantId when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return identity;
    }

    private static IResult SignIn(ClaimsIdentity identity) =>
        Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    /// <summary>An RFC 7807 problem (not an OAuth error: no OAuth error code means "wait"), with Retry-After.</summary>
    private static IResult TooManyAttemptsProblem(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = TooManyAttempts.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many failed sign-in attempts",
            detail: TooManyAttempts.Message(wait),
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = TooManyAttempts.Seconds(wait) });
    }

    internal static IResult Reject(string error, string description) =>
        Results.Forbid(
            authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme],
            properties: new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }));
}
