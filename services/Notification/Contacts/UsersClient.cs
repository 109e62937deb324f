using System.Net;

namespace Marketplace.Notification.Contacts;

/// <summary>The part of Users' internal contact answer this service reads (and keeps, <see cref="ContactBook"/>).</summary>
public sealed record BuyerContact(Guid UserId, string Email, string DisplayName, IReadOnlyDictionary<string, bool> EmailPreferences, long Revision)
{
    /// <summary>
    /// A kind the profile does not mention is wanted: order e-mails are transactional, and Users
    /// creates every profile with each kind named, so a missing key means an older profile.
    /// </summary>
    public bool WantsEmail(string kind) =>
        !string.IsNullOrWhiteSpace(Email) && (!EmailPreferences.TryGetValue(kind, out var on) || on);
}

/// <summary>The buyer has no profile yet (Users creates it moments after registration): try again later.</summary>
public sealed class ContactNotFoundException(Guid userId)
    : Exception($"Users has no profile for {userId} yet; the message is retried rather than dropped.")
{
    public Guid UserId { get; } = userId;
}

/// <summary>Users' <c>GET /internal/users/{id}/contact</c>, called with this service's own token.</summary>
public sealed class UsersClient(HttpClient http)
{
    /// <exception cref="ContactNotFoundException">Users answered 404.</exception>
    /// <exception cref="HttpRequestException">Users is unreachable or failed; MassTransit retries the message.</exception>
    public async Task<BuyerContact> GetContactAsync(Guid userId, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/internal/users/{userId}/contact", ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ContactNotFoundException(userId);
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<BuyerContact>(ct)
            ?? throw new HttpRequestException($"Users answered an empty contact for {userId}.");
    }
}
