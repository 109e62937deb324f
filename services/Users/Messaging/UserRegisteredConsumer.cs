using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Marketplace.Users.Data;
using Marketplace.Users.Domain;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Messaging;

/// <summary>Creates the profile of a newly registered account, once per event, and announces its contact.</summary>
public sealed class UserRegisteredConsumer(UsersDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, UsersDbContext>(db, logger)
{
    protected override async Task HandleAsync(UserRegistered message, ConsumeContext<UserRegistered> context, CancellationToken ct)
    {
        if (await Db.Profiles.AnyAsync(p => p.UserId == message.UserId, ct))
        {
            return;
        }
        var profile = new UserProfile
        {
            UserId = message.UserId,
            Email = message.Email,
            DisplayName = message.DisplayName,
            EmailPreferences = NotificationKinds.All.ToDictionary(k => k, k => k != "marketing"),
            CreatedAt = message.OccurredAt,
            UpdatedAt = message.OccurredAt,
        };
        Db.Profiles.Add(profile);
        Db.AddIntegrationEvent(profile.ContactChangedAt(message.OccurredAt));
    }
}
