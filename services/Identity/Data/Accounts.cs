using Marketplace.Identity.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Identity.Data;

/// <summary>Opens accounts: the account, its role and its <see cref="UserRegistered"/> announcement commit together or not at all.</summary>
public sealed class Accounts(UserManager<MarketplaceUser> users, AccountsDbContext db, TimeProvider clock)
{
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
                // Sign-in does not require a confirmed address (no confirmation mail is sent yet).
                EmailConfirmed = emailConfirmed,
            };
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            db.AddIntegrationEvent(new UserRegistered(user.Id, email, displayName, clock.GetUtcNow()));
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
