using System.Security.Claims;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Users.Data;
using Marketplace.Users.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Api;

public sealed record ProfileDto(
    Guid UserId, string Email, string DisplayName, IReadOnlyDictionary<string, bool> EmailPreferences,
    IReadOnlyList<AddressDto> Addresses, Guid? DefaultShippingAddressId, IReadOnlyList<string> Roles);

public sealed record UpdateProfileRequest(string? DisplayName = null, Dictionary<string, bool>? EmailPreferences = null);

/// <summary>What another of our services needs to reach a user (Notification, Ordering): internal only.</summary>
public sealed record ContactDto(Guid UserId, string Email, string DisplayName, IReadOnlyDictionary<string, bool> EmailPreferences, AddressDto? DefaultShippingAddress, long Revision);

/// <summary>
/// The signed-in user's own profile (<c>/api/users/me</c>: nobody reaches another's through it), any
/// profile for admins (<c>/api/users/{id}</c>), and contact details for our services (<c>/internal</c>,
/// client-credentials tokens only, not routed by the gateway).
/// </summary>
public static class ProfileEndpoints
{
    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/users/me").RequireAuthorization().WithTags("Users").ProducesProblem(StatusCodes.Status404NotFound);
        me.MapGet("/", GetMe);
        me.MapPut("/", UpdateMe);
        me.MapPost("/addresses", AddAddress);
        me.MapPut("/addresses/{addressId:guid}", UpdateAddress);
        me.MapDelete("/addresses/{addressId:guid}", RemoveAddress);
        me.MapPut("/addresses/{addressId:guid}/default-shipping", MakeDefaultShipping);

        app.MapGet("/api/users/{userId:guid}", GetAnyProfile).RequireAuthorization(MarketplacePolicies.Admin).WithTags("Users")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/internal/users/{userId:guid}/contact", GetContact).RequireAuthorization(MarketplacePolicies.Service).WithTags("Internal")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<ProfileDto>, ProblemHttpResult, UnauthorizedHttpResult>> GetMe(ClaimsPrincipal user, UsersDbContext db, CancellationToken ct)
    {
        if (UserId(user) is not { } id)
        {
            return TypedResults.Unauthorized();
        }
        var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == id, ct);
        return profile is null ? ProfileNotFound() : TypedResults.Ok(ToDto(profile, user.FindAll("role").Select(r => r.Value).ToList()));
    }

    private static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> GetAnyProfile(Guid userId, UsersDbContext db, CancellationToken ct)
    {
        var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct);
        return profile is null ? ProfileNotFound() : TypedResults.Ok(ToDto(profile, []));
    }

    private static async Task<Results<Ok<ContactDto>, ProblemHttpResult>> GetContact(Guid userId, UsersDbContext db, CancellationToken ct)
    {
        var p = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct);
        if (p is null)
        {
            return ProfileNotFound();
        }
        var shipping = p.DefaultShippingAddressId is { } d && p.FindAddress(d) is { } a ? ToDto(a, true) : null;
        return TypedResults.Ok(new ContactDto(p.UserId, p.Email, p.DisplayName, p.EmailPreferences, shipping, p.ContactRevision));
    }

    private static Task<IResult> UpdateMe(UpdateProfileRequest request, ClaimsPrincipal user, ProfileMutations mutations, CancellationToken ct)
    {
        var errors = Validate(request);
        return errors.Count > 0
            ? Task.FromResult<IResult>(TypedResults.ValidationProblem(errors))
            : mutations.MutateAsync(user, profile =>
            {
                if (request.DisplayName is not null)
                {
                    profile.DisplayName = request.DisplayName.Trim();
                }
                if (request.EmailPreferences is not null)
                {
                    profile.EmailPreferences = new Dictionary<string, bool>(profile.EmailPreferences);
                    foreach (var (kind, on) in request.EmailPreferences)
                    {
                        profile.EmailPreferences[kind] = on;
                    }
                }
                return null;
            }, ct);
    }

    private static Task<IResult> AddAddress(AddressRequest request, ClaimsPrincipal user, ProfileMutations mutations, CancellationToken ct)
    {
        var errors = AddressValidation.Validate(request);
        if (errors.Count > 0)
        {
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(errors));
        }
        return mutations.MutateAsync(user, profile =>
        {
            if (profile.Addresses.Count >= UserProfile.MaxAddresses)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["addresses"] = [$"A profile holds at most {UserProfile.MaxAddresses} addresses; remove one first."],
                });
            }
            var address = new Address { Id = Guid.NewGuid() };
            AddressValidation.Apply(request, address);
            profile.Addresses.Add(address);
            if (request.IsDefaultShipping == true || profile.DefaultShippingAddressId is null)
            {
                profile.DefaultShippingAddressId = address.Id;
            }
            return null;
        }, ct, created: p => p.Addresses[^1]);
    }

    private static Task<IResult> UpdateAddress(Guid addressId, AddressRequest request, ClaimsPrincipal user, ProfileMutations mutations, CancellationToken ct)
    {
        var errors = AddressValidation.Validate(request);
        if (errors.Count > 0)
        {
            return Task.FromResult<IResult>(TypedResults.ValidationProblem(errors));
        }
        return mutations.MutateAsync(user, profile =>
        {
            if (profile.FindAddress(addressId) is not { } address)
            {
                return AddressNotFound();
            }
            AddressValidation.Apply(request, address);
            if (request.IsDefaultShipping == true)
            {
                profile.DefaultShippingAddressId = address.Id;
            }
            return null;
        }, ct);
    }

    private static Task<IResult> RemoveAddress(Guid addressId, ClaimsPrincipal user, ProfileMutations mutations, CancellationToken ct) =>
        mutations.MutateAsync(user, profile =>
        {
            if (profile.FindAddress(addressId) is not { } address)
            {
                return AddressNotFound();
            }
            profile.RemoveAddress(address);
            return null;
        }, ct);

    private static Task<IResult> MakeDefaultShipping(Guid addressId, ClaimsPrincipal user, ProfileMutations mutations, CancellationToken ct) =>
        mutations.MutateAsync(user, profile =>
        {
            if (profile.FindAddress(addressId) is null)
            {
                return AddressNotFound();
            }
            profile.DefaultShippingAddressId = addressId;
            return null;
        }, ct);

    public static Dictionary<string, string[]> Validate(UpdateProfileRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.DisplayName is { } name && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100))
        {
            errors["displayName"] = ["displayName must be 1 to 100 characters."];
        }
        if (request.EmailPreferences?.Keys.Where(k => !NotificationKinds.All.Contains(k)).ToList() is { Count: > 0 } unknown)
        {
            errors["emailPreferences"] = [$"Unknown notification kinds: {string.Join(", ", unknown)}. Known: {string.Join(", ", NotificationKinds.All)}."];
        }
        return errors;
    }

    public static Guid? UserId(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue("sub"), out var id) ? id : null;

    /// <summary>A 404 as a problem (<c>application/problem+json</c>, RFC 7807), as every other refusal is.</summary>
    public static ProblemHttpResult ProfileNotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Profile not found", detail: "This account has no profile yet; it is created moments after registration.");

    private static ProblemHttpResult AddressNotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Address not found", detail: "Your profile has no address with this id.");

    public static ProfileDto ToDto(UserProfile p, IReadOnlyList<string> roles) =>
        new(p.UserId, p.Email, p.DisplayName, p.EmailPreferences,
            p.Addresses.Select(a => ToDto(a, a.Id == p.DefaultShippingAddressId)).ToList(), p.DefaultShippingAddressId, roles);

    public static AddressDto ToDto(Address a, bool isDefault) =>
        new(a.Id, a.Label, a.Recipient, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, a.Phone, isDefault);
}
