using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Authentication;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Validates bearer tokens itself (signature, issuer, lifetime and this service's own audience)
    /// against any OpenID Connect authority: <c>Identity:Authority</c> (default <c>http://identity</c>,
    /// resolved by service discovery) and <c>Identity:Audience</c> are all it needs, so a Keycloak realm
    /// works by configuration alone (its realm roles are mapped to role claims). A service names its own
    /// audience; the gateway names every service's, since any of them may pass the edge.
    /// </summary>
    public static TBuilder AddMarketplaceAuthentication<TBuilder>(this TBuilder builder, params string[] audiences)
        where TBuilder : IHostApplicationBuilder
    {
        var configuration = builder.Configuration;
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.Authority = configuration["Identity:Authority"] ?? "http://identity";
                // Identity:Audience (comma-separated) replaces the built-in names, e.g. for a Keycloak realm's client ids.
                options.TokenValidationParameters.ValidAudiences = configuration["Identity:Audience"] is { Length: > 0 } configured
                    ? configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : audiences;
                options.RequireHttpsMetadata = configuration.GetValue("Identity:RequireHttpsMetadata", !builder.Environment.IsDevelopment());
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = "role";
                options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            });
        // Metadata and signing keys are fetched with a factory client: service discovery and resilience included.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IHttpClientFactory>((options, clients) => options.Backchannel = clients.CreateClient("oidc-metadata"));
        builder.Services.AddTransient<IClaimsTransformation>(_ => new KeycloakRoleClaimsTransformation(configuration["Identity:ClientId"]));
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(MarketplacePolicies.Service, p => p.RequireAuthenticatedUser().RequireRole(MarketplacePolicies.ServiceRole))
            .AddPolicy(MarketplacePolicies.MerchantOrAdmin, p => p.RequireAuthenticatedUser().RequireRole("merchant", "admin"))
            .AddPolicy(MarketplacePolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole("admin"));
        return builder;
    }
}
