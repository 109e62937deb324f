using Marketplace.Identity.Api;
using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

// Auth Service: an OpenID Connect provider (OpenIddict 7) over ASP.NET Core Identity accounts.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<AccountsDbContext>("identitydb");
builder.AddMarketplaceMessaging<AccountsDbContext>();

builder.Services.AddIdentity<MarketplaceUser, IdentityRole<Guid>>(options =>
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 8;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
    })
    .AddEntityFrameworkStores<AccountsDbContext>()
    .AddDefaultTokenProviders();

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<AccountsDbContext>())
    .AddServer(options =>
    {
        options.SetTokenEndpointUris("connect/token");
        options.AllowClientCredentialsFlow().AllowRefreshTokenFlow();
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

        var aspNetCore = options.UseAspNetCore().EnableTokenEndpointPassthrough();
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

// Requests arrive through the Gateway; its X-Forwarded-* headers give the public issuer address.
builder.Services.Configure<ForwardedHeadersOptions>(options =>
    options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);

var app = builder.Build();

await app.MigrateDatabaseAsync<AccountsDbContext>();
await IdentitySeeder.SeedAsync(app.Services, app.Environment.IsDevelopment(), CancellationToken.None);

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapTokenEndpoint();

app.Run();
