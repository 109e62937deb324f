using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Marketplace.Testing;

/// <summary>
/// Access tokens signed by the test instead of Identity, for a service run on its own (WebApplicationFactory): the
/// service keeps its own token validation (issuer, audience, lifetime, roles) and trusts this issuer's key instead of
/// fetching Identity's.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "https://identity.tests.marketplace";
    private static readonly SymmetricSecurityKey SigningKey = new("marketplace-tests-token-signing-key-0123456789abcdef"u8.ToArray());

    /// <summary>Makes the service's bearer authentication trust <see cref="Issuer"/> and its key (no metadata is fetched).</summary>
    public static IServiceCollection TrustTestTokens(this IServiceCollection services) =>
        services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            o.Configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
            o.Configuration.SigningKeys.Add(SigningKey);
            o.TokenValidationParameters.ValidIssuer = Issuer;
            o.TokenValidationParameters.IssuerSigningKey = SigningKey;
        });

    /// <summary>A token for <paramref name="subject"/> with these roles (and any further claims), for <paramref name="audience"/>.</summary>
    public static string Create(Guid subject, string audience, IEnumerable<string> roles, IEnumerable<Claim>? claims = null, TimeSpan? lifetime = null)
    {
        var all = new List<Claim> { new("sub", subject.ToString()) };
        all.AddRange(roles.Select(r => new Claim("role", r)));
        all.AddRange(claims ?? []);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(all),
            Expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromMinutes(10)),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }
}
