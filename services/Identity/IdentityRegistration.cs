using Marketplace.Identity.Application;
using Marketplace.Identity.Api;
using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Marketplace.Identity.Mail;
using Marketplace.Identity.Security;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Identity;

public static class IdentityRegistration
{
    /// <summary>
    /// The Auth Service: an OpenID Connect provider (OpenIddict 7) over ASP.NET Core Identity accounts, with its sign-in
    /// and registration pages, account mail and sign-in throttling, wired once.
    /// </summary>
    /// <summary>The rules every account is opened and signed in under (one address per account, passwords of 8 or more).</summary>
    public static void AccountRules(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 8;
        // Failed passwords never lock an account (that would let anyone lock anyone out): SignInThrottle
        // slows guessing per client address instead. An admin can still lock an account by hand.
        options.Lockout.AllowedForNewUsers = false;
    }

    public static IHostApplicationBuilder AddIdentityService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<AccountsDbContext>("identitydb");
        // Identity consumes its own account-mail requests (written to its outbox with the registration).
        builder.AddMarketplaceMessaging<AccountsDbContext>(bus => bus.AddConsumer<AccountMailConsumer>());
        builder.AddSharedDataProtection();
        builder.AddAccountMail();
        builder.Services.AddScoped<Accounts>();
        builder.Services.AddScoped<PasswordCheck>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddOptions<SignInThrottleOptions>().BindConfiguration("Identity:SignInThrottle");
        builder.Services.AddRazorPages();
        // Every form here (sign-in, registration, the token endpoint) is small: a value over 16 KB is no one's
        // name, address or password, and fails the form read (a 400) instead of being bound and echoed back.
        builder.Services.Configure<FormOptions>(options =>
        {
            options.ValueLengthLimit = 16 * 1024;
            options.KeyLengthLimit = 1024;
            options.ValueCountLimit = 100;
        });

        builder.Services.AddIdentity<MarketplaceUser, IdentityRole<Guid>>(AccountRules)
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddDefaultTokenProviders();
        if (PasswordHashing.Iterations(builder.Configuration.GetValue<int?>(PasswordHashing.Key), builder.Environment.IsDevelopment()) is { } iterations)
        {
            builder.Services.Configure<PasswordHasherOptions>(options => options.IterationCount = iterations);
        }

        // The Identity session (sign-in pages and /connect/authorize), on the public origin beside the apps.
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "mp.identity";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = builder.Configuration.GetValue("Identity:SecureCookies", true)
                ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            options.LoginPath = "/account/signin";
            options.LogoutPath = "/account/signout";
            options.AccessDeniedPath = "/account/denied";
            options.ExpireTimeSpan = TimeSpan.FromDays(14);
            options.SlidingExpiration = true;
        });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "mp.identity.af";
            // Antiforgery refuses a Secure-only cookie on a plain-HTTP request, which Development is.
            options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<AccountsDbContext>())
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris("connect/endsession");
                // PKCE on every code request, and only S256: "plain" would hand the verifier to anyone who sees the request.
                options.Configure(o => o.CodeChallengeMethods.Remove(OpenIddict.Abstractions.OpenIddictConstants.CodeChallengeMethods.Plain));
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow();
                if (builder.Environment.IsDevelopment())
                {
                    // Only the Development client is ever granted it (see IdentitySeeder).
                    options.AllowPasswordFlow();
                }
                options.RegisterScopes([OpenIddict.Abstractions.OpenIddictConstants.Scopes.Email,
                    OpenIddict.Abstractions.OpenIddictConstants.Scopes.Profile,
                    OpenIddict.Abstractions.OpenIddictConstants.Scopes.Roles,
                    OpenIddict.Abstractions.OpenIddictConstants.Scopes.OfflineAccess, .. ApiScopes.Services]);

                // Plain signed JWTs, so any service (or a Keycloak-minded one) validates them with standard JwtBearer.
                options.DisableAccessTokenEncryption();
                if (builder.Configuration["Identity:Issuer"] is { Length: > 0 } issuer)
                {
                    options.SetIssuer(new Uri(issuer));
                }
                if (builder.Environment.IsDevelopment())
                {
                    options.AddDevelopmentEncryptionCertificate().AddDevelopmentSigningCertificate();
                }
                else
                {
                    IdentityCertificates.AddFromConfiguration(options, builder.Configuration);
                }

                var aspNetCore = options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (!builder.Configuration.GetValue("Identity:RequireHttps", !builder.Environment.IsDevelopment()))
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(options =>
            {
                options.UseLocalServer();
                options.UseAspNetCore();
            });

        builder.Services.AddAuthorization();
        return builder;
    }
}
