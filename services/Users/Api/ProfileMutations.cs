using System.Security.Claims;
using Marketplace.Users.Data;
using Marketplace.Users.Domain;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Api;

/// <summary>
/// Read-change-write of the caller's own profile under optimistic concurrency (xmin): when two requests
/// change the same profile at once, the later one re-reads and re-applies its change instead of
/// overwriting the other's (two addresses added at once both stay).
/// </summary>
public sealed class ProfileMutations(UsersDbContext db, TimeProvider clock)
{
    private const int Attempts = 5;

    /// <param name="change">Changes the profile, or returns the refusal to answer with (nothing is saved then).</param>
    /// <param name="created">When set, the answer is 201 with this address instead of 200 with the profile.</param>
    public async Task<IResult> MutateAsync(ClaimsPrincipal user, Func<UserProfile, IResult?> change, CancellationToken ct, Func<UserProfile, Address>? created = null)
    {
        if (ProfileEndpoints.UserId(user) is not { } id)
        {
            return TypedResults.Unauthorized();
        }
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var profile = await db.Profiles.SingleOrDefaultAsync(p => p.UserId == id, ct);
            if (profile is null)
            {
                return ProfileEndpoints.ProfileNotFound();
            }
            if (change(profile) is { } refusal)
            {
                return refusal;
            }
            profile.UpdatedAt = clock.GetUtcNow();
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                continue;
            }
            if (created?.Invoke(profile) is { } address)
            {
                return TypedResults.Created($"/api/users/me/addresses/{address.Id}", ProfileEndpoints.ToDto(address, address.Id == profile.DefaultShippingAddressId));
            }
            return TypedResults.Ok(ProfileEndpoints.ToDto(profile, user.FindAll("role").Select(r => r.Value).ToList()));
        }
    }
}
