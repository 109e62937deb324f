using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Marketplace.Identity.Api;

/// <summary>
/// One OAuth client from configuration (<c>Identity:Clients:{clientId}</c>). With redirect URIs it is a
/// browser-facing app (authorization code + PKCE, refresh tokens, sign-out); without, one of our
/// services (client credentials only). Secrets come from configuration: generated per checkout in
/// Development (the AppHost), a secret store elsewhere.
/// </summary>
public sealed class ClientRegistration
{
    public string? Secret { get; set; }
    public string? DisplayName { get; set; }
    /// <summary>Space-separated.</summary>
    public string RedirectUris { get; set; } = "";
    /// <summary>Space-separated.</summary>
    public string PostLogoutRedirectUris { get; set; } = "";
    /// <summary>Space-separated API scopes the client may ask for.</summary>
    public string Scopes { get; set; } = "";

    public bool IsInteractive => !string.IsNullOrWhiteSpace(RedirectUris);
}

public static class ClientRegistry
{
    /// <summary>Creates or updates every configured client, so a changed secret or redirect URI takes effect on the next start.</summary>
    public static async Task SyncAsync(IOpenIddictApplicationManager applications, IConfiguration configuration, CancellationToken ct)
    {
        foreach (var section in configuration.GetSection("Identity:Clients").GetChildren())
        {
            var client = section.Get<ClientRegistration>() ?? new ClientRegistration();
            var descriptor = Describe(section.Key, client);
            if (await applications.FindByClientIdAsync(section.Key, ct) is { } existing)
            {
                await applications.UpdateAsync(existing, descriptor, ct);
            }
            else
            {
                await applications.CreateAsync(descriptor, ct);
            }
        }
    }

    public static OpenIddictApplicationDescriptor Describe(string clientId, ClientRegistration client)
    {
        if (string.IsNullOrWhiteSpace(client.Secret))
        {
            throw new InvalidOperationException($"Identity:Clients:{clientId}:Secret is required.");
        }
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = client.Secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.DisplayName ?? clientId,
            // First-party clients: nobody is asked to consent to our own storefront.
            ConsentType = ConsentTypes.Implicit,
        };
        var scopes = Split(client.Scopes);
        foreach (var scope in scopes)
        {
            if (!ApiScopes.Services.Contains(scope))
            {
                throw new InvalidOperationException($"Identity:Clients:{clientId}:Scopes names '{scope}', which is not an API scope ({string.Join(", ", ApiScopes.Services)}).");
            }
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        if (client.IsInteractive)
        {
            descriptor.Permissions.UnionWith([
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Scopes.Roles,
            ]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            foreach (var uri in Split(client.RedirectUris))
            {
                descriptor.RedirectUris.Add(new Uri(uri));
            }
            foreach (var uri in Split(client.PostLogoutRedirectUris))
            {
                descriptor.PostLogoutRedirectUris.Add(new Uri(uri));
            }
        }
        else
        {
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials]);
        }
        return descriptor;
    }

    private static string[] Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
