using Marketplace.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Marketplace.Web.Authentication;

/// <summary>
/// Sign-in through the OpenID Connect authority (our Identity service by default, any other, Keycloak
/// included, by configuration): authorization code + PKCE as a confidential client, the session in an
/// HttpOnly, Secure, SameSite=Lax cookie whose keys are shared by every replica (Redis).
/// </summary>
public static class WebAuthentication
{
    public const string SignInPath = "/account/signin";
    public const string SignOutPath = "/account/signout";
    public const string AccessDeniedPath = "/access-denied";

    public static WebApplicationBuilder AddWebAuthentication(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var secureCookies = configuration.GetValue("Web:SecureCookies", true);
        var cookiePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

        builder.Services.AddSingleton<RedisTicketStore>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<RedisTicketStore>((options, store) => options.SessionStore = store);
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "mp.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = cookiePolicy;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.LoginPath = SignInPath;
                options.AccessDeniedPath = AccessDeniedPath;
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = configuration["Identity:Authority"] ?? "http://localhost";
                options.ClientId = configuration["Identity:ClientId"] ?? "marketplace-web";
                options.ClientSecret = configuration["Identity:ClientSecret"];
                options.RequireHttpsMetadata = configuration.GetValue("Identity:RequireHttpsMetadata", !builder.Environment.IsDevelopment());
                options.ResponseType = OpenIdConnectResponseType.Code;
                // The code comes back in the query of a top-level GET: no cross-site POST, so Lax cookies suffice.
                options.ResponseMode = OpenIdConnectResponseMode.Query;
                options.UsePkce = true;
                options.DisableTelemetry = true;
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = "role";
                options.Scope.Clear();
                foreach (var scope in $"openid profile email roles offline_access {configuration["Identity:Scopes"]}"
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Scope.Add(scope);
                }
                options.ClaimActions.MapUniqueJsonKey("merchant_id", "merchant_id");
                options.SignedOutRedirectUri = "/";
                options.CorrelationCookie.SecurePolicy = cookiePolicy;
                options.NonceCookie.SecurePolicy = cookiePolicy;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.Events.OnRemoteFailure = context =>
                {
                    // The user cancelled or the authority refused: a page in plain words, not an exception.
                    context.Response.Redirect(AccessDeniedPath + "?reason=signin-failed");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        // Keycloak's realm roles become role claims here too.
        builder.Services.AddTransient<IClaimsTransformation>(_ => new KeycloakRoleClaimsTransformation(configuration["Identity:ClientId"]));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(MarketplacePolicies.MerchantOrAdmin, p => p.RequireAuthenticatedUser().RequireRole("merchant", "admin"));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "mp.web.af";
            // Antiforgery refuses a Secure-only cookie on a plain-HTTP request, which Development is.
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        return builder;
    }

    /// <summary>The sign-in address that brings the user back to where they are.</summary>
    public static string SignInUrl(Microsoft.AspNetCore.Components.NavigationManager navigation) =>
        $"{SignInPath.TrimStart('/')}?returnUrl={Uri.EscapeDataString("/" + navigation.ToBaseRelativePath(navigation.Uri))}";

    public static IEndpointRouteBuilder MapWebAuthenticationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(SignInPath, (string? returnUrl, HttpContext context) =>
            Results.Challenge(new AuthenticationProperties { RedirectUri = LocalOrHome(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous();

        // A POST with an antiforgery token, so no other site can sign a user out.
        app.MapPost(SignOutPath, () =>
            Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }

    /// <summary>ASP.NET Core's own test (it also refuses control characters that browsers strip, e.g. <c>/\t/evil</c>).</summary>
    private static string LocalOrHome(string? returnUrl) => RedirectHttpResult.IsLocalUrl(returnUrl) ? returnUrl! : "/";
}
