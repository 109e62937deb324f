using System.Collections.Concurrent;
using Marketplace.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Marketplace.Notification.Tests;

/// <summary>
/// Users and Identity as far as this service sees them, over real HTTP: a discovery document, a
/// client-credentials token endpoint, and <c>GET /internal/users/{id}/contact</c>, which answers only
/// with that token (so a client that forgets it fails) and 404 for profiles it does not hold.
/// </summary>
public sealed class UsersStub : IAsyncDisposable
{
    public const string ClientId = "notification";
    public const string ClientSecret = "notification-test-secret";
    private const string IssuedToken = "stub-service-token";

    private readonly ConcurrentDictionary<Guid, object> _contacts = new();
    private readonly int _port = HostServer.FreePort();
    private WebApplication? _app;

    public string BaseAddress => $"http://127.0.0.1:{_port}";

    /// <summary>A profile with every e-mail preference on unless <paramref name="preferences"/> says otherwise.</summary>
    public string AddBuyer(Guid userId, Dictionary<string, bool>? preferences = null)
    {
        var email = $"buyer-{userId:N}@example.test";
        var all = new Dictionary<string, bool> { ["order-confirmed"] = true, ["order-cancelled"] = true, ["order-shipped"] = true, ["marketing"] = false };
        foreach (var (kind, on) in preferences ?? [])
        {
            all[kind] = on;
        }
        _contacts[userId] = new { userId, email, displayName = $"Buyer <{userId.ToString()[..4]}> & Co", emailPreferences = all, defaultShippingAddress = (object?)null };
        return email;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(BaseAddress);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = BaseAddress, token_endpoint = $"{BaseAddress}/connect/token" }));
        _app.MapPost("/connect/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            return form["grant_type"] == "client_credentials" && form["client_id"] == ClientId && form["client_secret"] == ClientSecret
                ? Results.Json(new { access_token = IssuedToken, token_type = "Bearer", expires_in = 3600 })
                : Results.Json(new { error = "invalid_client" }, statusCode: 400);
        });
        _app.MapGet("/internal/users/{userId:guid}/contact", (Guid userId, HttpRequest request) =>
            request.Headers.Authorization != $"Bearer {IssuedToken}" ? Results.Unauthorized()
            : _contacts.TryGetValue(userId, out var contact) ? Results.Json(contact)
            : Results.Problem(statusCode: 404, title: "Profile not found"));
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
