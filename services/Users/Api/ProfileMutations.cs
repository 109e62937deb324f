using System.Security.Claims;
using Marketplace.Shared.Messaging;
using Marketplace.Users.Data;
using Marketplace.Users.Domain;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Api;

/// <summary>
/// Read-change-write of the caller's own profile under its row lock (<c>SELECT … FOR UPDATE</c>):
/// requests changing the same profile at once take turns, so two addresses added together both stay
/// and nobody waits on a retry loop. The xmin version still guards against any writer that skips the lock.
/// </summary>
public sealed class ProfileMutations(UsersDbContext db, TimeProvider clock)
{
    /// <param name="change">Changes the profile, or returns the refusal to answer with (nothing is saved then).</param>
    /// <param name="created">When set, the answer is 201 with this address instead of 200 with the profile.</param>
    public async Task<IResult> MutateAsync(ClaimsPrincipal user, Func<UserProfile, IResult?> change, CancellationToken ct, Func<UserProfile, Address>? created = null)
    {
        if (ProfileEndpoints.UserId(user) is not { } id)
        {
            return TypedResults.Unauthorized();
        }
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Lock first, then read: under READ COMMITTED the read after the lock sees the previous holder's commit.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM profiles WHERE \"UserId\" = {id} FOR UPDATE", ct);
            var profile = await db.Profiles.SingleOrDefaultAsync(p => p.UserId == id, ct);
            if (profile is null)
            {
                return ProfileEndpoints.ProfileNotFound();
            }
            var contactBefore = profile.ContactKey();
            if (change(profile) is { } refusal)
            {
                return refusal;
            }
            profile.UpdatedAt = clock.GetUtcNow();
            if (profile.ContactKey() != contactBefore)
            {
                db.AddIntegrationEvent(profile.ContactChangedAt(profile.UpdatedAt));
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);

            if (created?.Invoke(profile) is { } address)
            {
                return TypedResults.Created($"/api/users/me/addresses/{address.Id}", ProfileEndpoints.ToDto(address, address.Id == profile.DefaultShippingAddressId));
            }
            return (IResult)TypedResults.Ok(ProfileEndpoints.ToDto(profile, user.FindAll("role").Select(r => r.Value).ToList()));
        });
    }
}
