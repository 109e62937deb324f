using System.Security.Claims;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Marketplace.ServiceDefaults.Tests;

public sealed class KeycloakRoleClaimsTransformationTests
{
    // The payload of an access token issued by a Keycloak 26 realm "marketplace" to client "marketplace-web".
    private const string KeycloakPayload = """
        {
          "exp": 1893456000, "iat": 1893452400, "jti": "onrtac:0b4e7f0e-1c5d-4f2e-9a57-3c1f5d2f8e11",
          "iss": "https://keycloak.example.test/realms/marketplace", "aud": ["marketplace-api", "account"],
          "sub": "7c3f2a9e-5b1d-4e8f-a6c2-9d0e1f2a3b4c", "typ": "Bearer", "azp": "marketplace-web",
          "sid": "5f2b1c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "acr": "1",
          "realm_access": { "roles": ["default-roles-marketplace", "offline_access", "merchant"] },
          "resource_access": {
            "marketplace-web": { "roles": ["catalog-editor"] },
            "account": { "roles": ["manage-account", "view-profile"] }
          },
          "scope": "openid profile email", "email_verified": true, "merchant_id": "5a0f3c1e-0000-4000-8000-000000000001",
          "preferred_username": "merchant@marketplace.test", "email": "merchant@marketplace.test"
        }
        """;

    /// <summary>The identity JwtBearer builds from that token (JSON objects become JSON-valued claims).</summary>
    private static ClaimsPrincipal PrincipalFromKeycloakToken()
    {
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(KeycloakPayload);
        var jwt = handler.ReadJsonWebToken(token);
        var identity = new ClaimsIdentity(jwt.Claims, "Bearer", "preferred_username", ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }

    [Fact]
    public async Task Realm_roles_become_role_claims()
    {
        var principal = await new KeycloakRoleClaimsTransformation().TransformAsync(PrincipalFromKeycloakToken());

        Assert.True(principal.IsInRole("merchant"));
        Assert.True(principal.IsInRole("offline_access"));
        Assert.False(principal.IsInRole("catalog-editor"));
        Assert.False(principal.IsInRole("admin"));
    }

    [Fact]
    public async Task Client_roles_are_added_for_the_configured_client_only()
    {
        var principal = await new KeycloakRoleClaimsTransformation("marketplace-web").TransformAsync(PrincipalFromKeycloakToken());

        Assert.True(principal.IsInRole("catalog-editor"));
        Assert.False(principal.IsInRole("manage-account"));
    }

    [Fact]
    public async Task Transforming_twice_adds_each_role_once()
    {
        var transformation = new KeycloakRoleClaimsTransformation();
        var principal = await transformation.TransformAsync(await transformation.TransformAsync(PrincipalFromKeycloakToken()));

        Assert.Single(principal.FindAll(ClaimTypes.Role), c => c.Value == "merchant");
    }

    [Fact]
    public async Task Token_without_keycloak_claims_is_left_as_it_is()
    {
        var identity = new ClaimsIdentity([new Claim("sub", "u1"), new Claim(ClaimTypes.Role, "shopper")], "Bearer");

        var principal = await new KeycloakRoleClaimsTransformation().TransformAsync(new ClaimsPrincipal(identity));

        Assert.Equal(["shopper"], principal.FindAll(ClaimTypes.Role).Select(c => c.Value));
    }

    [Fact]
    public async Task Malformed_realm_access_is_ignored()
    {
        var identity = new ClaimsIdentity([new Claim("realm_access", "not json"), new Claim("realm_access", "{\"roles\":\"admin\"}")], "Bearer");

        var principal = await new KeycloakRoleClaimsTransformation().TransformAsync(new ClaimsPrincipal(identity));

        Assert.Empty(principal.FindAll(ClaimTypes.Role));
    }
}
