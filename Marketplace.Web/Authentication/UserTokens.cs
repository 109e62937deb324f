using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Authentication;

/// <summary>The signed-in user's access token, or null when nobody is signed in (or the session ended).</summary>
public interface IAccessTokens
{
    Task<string?> GetAccessTokenAsync(CancellationToken ct = default);
}

/// <summary>
/// The signed-in user's access token for calls to the Gateway, per circuit (or request). The tokens live in
/// the session's ticket in Redis (<see cref="RedisTicketStore"/>); an interactive circuit has no HttpContext,
/// so the session is found through the key claim on the user. A token about to expire is refreshed with the
/// refresh token and the ticket is stored again, so every tab and replica sees the new one.
/// </summary>
public sealed class UserTokens(
    AuthenticationStateProvider authentication, RedisTicketStore sessions, IOptionsMonitor<OpenIdConnectOptions> oidc,
    IHttpClientFactory httpClients, TimeProvider clock, ILogger<UserTokens> logger) : IAccessTokens
{
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private string? _accessToken;
    private DateTimeOffset _expiresAt;

    /// <summary>The access token, or null when nobody is signed in or the session has ended (signed out elsewhere, expired).</summary>
    public async Task<string?> GetAccessTokenAsync(CancellationToken ct = default)
    {
        if (_accessToken is not null && _expiresAt - clock.GetUtcNow() > RefreshAhead)
        {
            return _accessToken;
        }
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.FindFirst(RedisTicketStore.SessionKeyClaim)?.Value is not { } sessionKey)
        {
            return null;
        }
        await _refreshing.WaitAsync(ct);
        try
        {
            var ticket = await sessions.RetrieveAsync(sessionKey);
            if (ticket is null)
            {
                return _accessToken = null;
            }
            var token = ticket.Properties.GetTokenValue("access_token");
            var expiresAt = DateTimeOffset.TryParse(ticket.Properties.GetTokenValue("expires_at"), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var e) ? e : DateTimeOffset.MinValue;
            if (token is not null && expiresAt - clock.GetUtcNow() > RefreshAhead)
            {
                (_accessToken, _expiresAt) = (token, expiresAt);
                return token;
            }
            if (ticket.Properties.GetTokenValue("refresh_token") is not { } refreshToken || await RefreshAsync(refreshToken, ct) is not { } fresh)
            {
                return _accessToken = null;
            }
            var newExpiry = clock.GetUtcNow().AddSeconds(fresh.ExpiresIn);
            ticket.Properties.UpdateTokenValue("access_token", fresh.AccessToken);
            ticket.Properties.UpdateTokenValue("expires_at", newExpiry.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            if (fresh.RefreshToken is { Length: > 0 })
            {
                ticket.Properties.UpdateTokenValue("refresh_token", fresh.RefreshToken);
            }
            await sessions.RenewAsync(sessionKey, ticket);
            (_accessToken, _expiresAt) = (fresh.AccessToken, newExpiry);
            return fresh.AccessToken;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<TokenResponse?> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        try
        {
            var configuration = await options.ConfigurationManager!.GetConfigurationAsync(ct);
            using var http = httpClients.CreateClient(nameof(UserTokens));
            using var response = await http.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = options.ClientId!,
                ["client_secret"] = options.ClientSecret ?? "",
            }), ct);
            if (!response.IsSuccessStatusCode)
            {
                // Revoked, expired or already used: the user signs in again.
                logger.LogInformation("Refreshing the access token was refused ({Status})", (int)response.StatusCode);
                return null;
            }
            return await response.Content.ReadFromJsonAsync<TokenResponse>(ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            logger.LogWarning(e, "Refreshing the access token failed");
            return null;
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
