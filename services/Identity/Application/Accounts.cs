using Marketplace.Identity.Data;
using Marketplace.Identity.Domain;
using Marketplace.Identity.Mail;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Marketplace.Identity.Application;

/// <summary>Opens accounts: the account, its role and its <see cref="UserRegistered"/> announcement commit together or not at all.</summary>
public sealed class Accounts(UserManager<MarketplaceUser> users, AccountsDbContext db, IConnectionMultiplexer redis, TimeProvider clock)
{
    /// <summary>"Someone tried to register with your address" mails one address receives per hour at most.</summary>
    public const int RegistrationNoticesPerHour = 3;

    /// <summary>
    /// Registration as a visitor sees it: a new address gets an account and a confirmation mail; an address
    /// that has an account gets nothing new, and its owner a mail saying someone tried. Both succeed alike,
    /// after the same password checks, so the answer does not tell which addresses have accounts.
    /// </summary>
    public async Task<IdentityResult> RegisterShopperAsync(string email, string displayName, string password, CancellationToken ct)
    {
        var existing = await users.FindByEmailAsync(email);
        if (existing is null)
        {
            var (result, _) = await OpenAsync(email, displayName, password, Roles.Shopper, null, ct);
            if (result.Succeeded || !result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)))
            {
                return result;
            }
            // Another registration of this address committed between our look and our insert.
            existing = await users.FindByEmailAsync(email);
            if (existing is null)
            {
                return result;
            }
        }
        return await TriedExistingAsync(existing, password, ct);
    }

    private async Task<IdentityResult> TriedExistingAsync(MarketplaceUser owner, string password, CancellationToken ct)
    {
        // The password is held to the rules a new account's would be, and hashed as one would be (the time a new account takes).
        var probe = new MarketplaceUser { UserName = owner.Email, Email = owner.Email };
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, probe, password);
            errors.AddRange(result.Errors);
        }
        if (errors.Count > 0)
        {
            return IdentityResult.Failed([.. errors]);
        }
        _ = users.PasswordHasher.HashPassword(probe, password);

        if (await NoticeAllowedAsync(owner.Id))
        {
            db.ChangeTracker.Clear();
            db.AddIntegrationEvent(new AccountMailRequested(owner.Id, AccountMailKind.RegistrationAttempt), clock);
            await db.SaveChangesAsync(ct);
        }
        return IdentityResult.Success;
    }

    /// <summary>Caps the notices one owner gets, so registering their address over and over cannot flood their inbox.</summary>
    private async Task<bool> NoticeAllowedAsync(Guid owner)
    {
        var key = $"identity:registration-notices:{owner}";
        var database = redis.GetDatabase();
        var sent = await database.StringIncrementAsync(key);
        if (sent == 1)
        {
            await database.KeyExpireAsync(key, TimeSpan.FromHours(1));
        }
        return sent <= RegistrationNoticesPerHour;
    }

    public async Task<(IdentityResult Result, MarketplaceUser? User)> OpenAsync(
        string email, string displayName, string password, string role, Guid? merchantId, CancellationToken ct, bool emailConfirmed = false)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            var user = new MarketplaceUser
            {
                Id = Guid.NewGuid(), UserName = email, Email = email, DisplayName = displayName, MerchantId = merchantId,
                // Unconfirmed accounts may sign in and shop; confirming proves the address is the owner's.
                EmailConfirmed = emailConfirmed,
            };
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            db.AddIntegrationEvent(new UserRegistered(user.Id, email, displayName, clock.GetUtcNow()));
            if (!emailConfirmed)
            {
                db.AddIntegrationEvent(new AccountMailRequested(user.Id, AccountMailKind.ConfirmAddress), clock);
            }
            IdentityResult result;
            try
            {
                result = await users.CreateAsync(user, password);
            }
            catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                // Another registration with this address committed between the check and ours.
                db.ChangeTracker.Clear();
                return (IdentityResult.Failed(users.ErrorDescriber.DuplicateEmail(email)), (MarketplaceUser?)null);
            }
            if (result.Succeeded)
            {
                result = await users.AddToRoleAsync(user, role);
            }
            if (!result.Succeeded)
            {
                db.ChangeTracker.Clear();
                return (result, (MarketplaceUser?)null);
            }
            await transaction.CommitAsync(ct);
            return (result, user);
        });
    }
}
