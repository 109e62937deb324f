using System.Text.Json;
using Marketplace.Notification.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Notification.Contacts;

/// <summary>
/// How to reach a user, from this service's own copy: Users announces every contact change (<c>ContactChanged</c>),
/// so a notification costs no call to Users. A user whose contact was never copied (a profile older than the copy, or
/// an order event that overtook the profile's announcement) is asked of Users once, and the answer kept.
/// </summary>
public sealed class ContactBook(NotificationDbContext db, UsersClient users, TimeProvider clock)
{
    /// <exception cref="ContactNotFoundException">Neither the copy nor Users has the user yet: the message is retried.</exception>
    public async Task<BuyerContact> GetAsync(Guid userId, CancellationToken ct)
    {
        var kept = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, ct);
        if (kept is not null)
        {
            return new BuyerContact(kept.UserId, kept.Email, kept.DisplayName, kept.EmailPreferences, kept.Revision);
        }
        var fetched = await users.GetContactAsync(userId, ct);
        await KeepAsync(fetched, ct);
        return fetched;
    }

    /// <summary>Keeps <paramref name="contact"/> unless a copy of the same or a higher revision is kept already.</summary>
    public Task KeepAsync(BuyerContact contact, CancellationToken ct)
    {
        var preferences = JsonSerializer.Serialize(contact.EmailPreferences);
        var now = clock.GetUtcNow();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO contacts (user_id, email, display_name, email_preferences, revision, updated_at)
            VALUES ({contact.UserId}, {contact.Email}, {contact.DisplayName}, CAST({preferences} AS jsonb), {contact.Revision}, {now})
            ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, display_name = excluded.display_name,
                email_preferences = excluded.email_preferences, revision = excluded.revision, updated_at = excluded.updated_at
            WHERE contacts.revision < excluded.revision
            """, ct);
    }
}
