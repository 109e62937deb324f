namespace Marketplace.AppHost.Infrastructure;

/// <summary>
/// The OAuth clients Identity knows (<c>Identity:Clients:{id}</c>) and the matching settings of the app
/// that uses each. Secrets are generated per data directory when run locally, and are parameters
/// (supplied at deployment) in a published manifest.
/// </summary>
public static class OAuthClients
{
    public const string WebClientId = "marketplace-web";

    /// <summary>A service's own client-credentials client, allowed the API scopes of the services it calls.</summary>
    public static IResourceBuilder<ProjectResource> WithServiceClient(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ProjectResource> identity, HostData data, params string[] scopes)
    {
        var clientId = service.Resource.Name;
        var secret = ClientSecret(service.ApplicationBuilder, data, clientId);
        var scopeList = string.Join(' ', scopes);
        identity
            .WithEnvironment($"Identity__Clients__{clientId}__Secret", secret)
            .WithEnvironment($"Identity__Clients__{clientId}__Scopes", scopeList);
        return service
            .WithReference(identity)
            .WithEnvironment("ServiceAuth__ClientId", clientId)
            .WithEnvironment("ServiceAuth__ClientSecret", secret)
            .WithEnvironment("ServiceAuth__Scopes", scopeList);
    }

    /// <summary>The web app: authorization code + PKCE through the public origin, tokens for the APIs it calls for the user.</summary>
    public static IResourceBuilder<ProjectResource> WithWebClient(
        this IResourceBuilder<ProjectResource> web, IResourceBuilder<ProjectResource> identity,
        IResourceBuilder<ProjectResource> gateway, HostData data, params string[] scopes)
    {
        var secret = ClientSecret(web.ApplicationBuilder, data, WebClientId);
        var endpoint = web.GetEndpoint("http");
        identity
            .WithEnvironment($"Identity__Clients__{WebClientId}__Secret", secret)
            .WithEnvironment($"Identity__Clients__{WebClientId}__DisplayName", "Marketplace")
            .WithEnvironment($"Identity__Clients__{WebClientId}__Scopes", string.Join(' ', scopes))
            .WithEnvironment($"Identity__Clients__{WebClientId}__RedirectUris", ReferenceExpression.Create($"{endpoint}/signin-oidc"))
            .WithEnvironment($"Identity__Clients__{WebClientId}__PostLogoutRedirectUris", ReferenceExpression.Create($"{endpoint}/signout-callback-oidc"))
            .WithEnvironment("Identity__StorefrontUrl", endpoint);
        return web
            .WithEnvironment("Identity__Authority", gateway.GetEndpoint("http"))
            .WithEnvironment("Identity__ClientId", WebClientId)
            .WithEnvironment("Identity__ClientSecret", secret)
            .WithEnvironment("Identity__Scopes", string.Join(' ', scopes));
    }

    private static IResourceBuilder<ParameterResource> ClientSecret(IDistributedApplicationBuilder builder, HostData data, string clientId) =>
        data.SecretParameter(builder, $"{clientId}-client-secret");
}
