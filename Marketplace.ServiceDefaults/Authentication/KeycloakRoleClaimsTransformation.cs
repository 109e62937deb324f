using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;

namespace Marketplace.ServiceDefaults.Authentication;

/// <summary>
/// Lets a Keycloak realm be the authority: Keycloak puts realm roles in
/// <c>realm_access.roles</c> and client roles in <c>resource_access.{client}.roles</c>, where ASP.NET
/// Core authorization does not look. This adds each as a role claim of the identity's role type.
/// Our own Identity service issues role claims directly, so for its tokens this changes nothing.
/// </summary>
public sealed class KeycloakRoleClaimsTransformation(string? clientId = null) : IClaimsTransformation
{
    public const string RealmAccessClaim = "realm_access";
    public const string ResourceAccessClaim = "resource_access";

    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        foreach (var identity in principal.Identities.Where(i => i.IsAuthenticated))
        {
            var roles = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in identity.FindAll(RealmAccessClaim))
            {
                AddRoles(claim.Value, roles);
            }
            if (clientId is not null)
            {
                foreach (var claim in identity.FindAll(ResourceAccessClaim))
                {
                    if (TryParse(claim.Value, out var access) && access.TryGetProperty(clientId, out var client))
                    {
                        AddRoles(client.GetRawText(), roles);
                    }
                }
            }
            foreach (var role in roles.Where(r => !identity.HasClaim(identity.RoleClaimType, r)))
            {
                identity.AddClaim(new Claim(identity.RoleClaimType, role));
            }
        }
        return Task.FromResult(principal);
    }

    private static void AddRoles(string json, HashSet<string> roles)
    {
        if (TryParse(json, out var access)
            && access.TryGetProperty("roles", out var list)
            && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var role in list.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String))
            {
                roles.Add(role.GetString()!);
            }
        }
    }

    private static bool TryParse(string json, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            element = document.RootElement.Clone();
            return element.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }
}
