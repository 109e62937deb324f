using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Marketplace.ServiceDefaults.Authentication;

/// <summary>
/// This service's own OAuth client (<c>ServiceAuth:ClientId</c>, <c>ServiceAuth:ClientSecret</c>,
/// <c>ServiceAuth:Scopes</c>) for calling other services' internal endpoints with the client-credentials grant.
/// </summary>
public sealed class ServiceTokenOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>Space-separated API scopes (each grants one service's audience).</summary>
    public string Scopes { get; set; } = "";
    /// <summary>A token is renewed this long before it expires.</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Gets and caches client-credentials tokens from the authority's token endpoint (found through its
/// discovery document, so Keycloak works too). One request at a time renews the token; concurrent
/// callers wait for it rather than each asking the authority.
/// </summary>
public sealed class ServiceTokenClient(IHttpClientFactory clients, IOptions<ServiceTokenOptions> options, TimeProvider clock) : IDisposable
{
    public const string HttpClientName = "service-token";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _tokenEndpoint;
    /// <summary>An immutable pair, swapped whole, so a reader never sees one token with another's renewal time.</summary>
    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    private CachedToken? _cached;

    public async ValueTask<string> GetTokenAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _cached) is { } hit && clock.GetUtcNow() < hit.RenewAt)
        {
            return hit.Token;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (Volatile.Read(ref _cached) is { } again && clock.GetUtcNow() < again.RenewAt)
            {
                return again.Token;
            }
            var o = options.Value;
            if (string.IsNullOrEmpty(o.ClientId) || string.IsNullOrEmpty(o.ClientSecret))
            {
                throw new InvalidOperationException("ServiceAuth:ClientId and ServiceAuth:ClientSecret are required to call internal endpoints.");
            }
            using var http = clients.CreateClient(HttpClientName);
            _tokenEndpoint ??= await DiscoverTokenEndpointAsync(http, o, ct);
            using var response = await http.PostAsync(_tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = o.ClientId,
                ["client_secret"] = o.ClientSecret,
                ["scope"] = o.Scopes,
            }), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"The authority refused client '{o.ClientId}' a token ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}",
                    null, response.StatusCode);
            }
            var token = await response.Content.ReadFromJsonAsync<TokenResponse>(ct)
                ?? throw new InvalidOperationException("The token response was empty.");
            var lifetime = TimeSpan.FromSeconds(Math.Max(token.ExpiresIn, 1));
            var renewAt = clock.GetUtcNow() + (lifetime > o.RenewBefore * 2 ? lifetime - o.RenewBefore : lifetime / 2);
            Volatile.Write(ref _cached, new CachedToken(token.AccessToken, renewAt));
            return token.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the cached token, e.g. after a 401 (the authority's keys may have rotated).</summary>
    public void Invalidate() => Volatile.Write(ref _cached, null);

    private static async Task<string> DiscoverTokenEndpointAsync(HttpClient http, ServiceTokenOptions o, CancellationToken ct)
    {
        var authority = (o.Authority ?? "http://identity").TrimEnd('/');
        var discovery = await http.GetFromJsonAsync<DiscoveryDocument>($"{authority}/.well-known/openid-configuration", ct);
        return discovery?.TokenEndpoint ?? throw new InvalidOperationException($"{authority} publishes no token_endpoint.");
    }

    public void Dispose() => _gate.Dispose();

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);

    private sealed record DiscoveryDocument([property: JsonPropertyName("token_endpoint")] string? TokenEndpoint);
}

/// <summary>Puts this service's client-credentials token on every request of the HttpClient it is added to.</summary>
public sealed class ServiceTokenHandler(ServiceTokenClient tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            tokens.Invalidate();
        }
        return response;
    }
}

public static class ServiceTokenExtensions
{
    /// <summary>Registers this service's OAuth client from <c>ServiceAuth:*</c> (authority from <c>Identity:Authority</c>).</summary>
    public static IServiceCollection AddServiceTokens(this IServiceCollection services)
    {
        services.AddOptions<ServiceTokenOptions>()
            .BindConfiguration("ServiceAuth")
            .PostConfigure<IConfiguration>((o, configuration) => o.Authority ??= configuration["Identity:Authority"]);
        services.AddHttpClient(ServiceTokenClient.HttpClientName);
        services.TryAddSingleton<ServiceTokenClient>();
        services.TryAddTransient<ServiceTokenHandler>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Calls through this client carry the service's client-credentials token.</summary>
    public static IHttpClientBuilder AddServiceToken(this IHttpClientBuilder http)
    {
        http.Services.AddServiceTokens();
        return http.AddHttpMessageHandler<ServiceTokenHandler>();
    }
}
