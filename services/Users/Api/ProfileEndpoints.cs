using System.Security.Claims;
using Marketplace.Users.Data;
using Marketplace.Users.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Users.Api;

public sealed record ProfileDto(Guid UserId, string Email, string DisplayName, IReadOnlyDictionary<string, bool> EmailPreferences, IReadOnlyList<string> Roles);

public sealed record UpdateProfileRequest(string? DisplayName, Dictionary<string, bool>? EmailPreferences);

/// <summary>The signed-in user's own profile: nobody reads or changes another's through these routes.</summary>
public static class ProfileEndpoints
{
    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/users/me").RequireAuthorization().WithTags("Users");
        me.MapGet("/", GetMe);
        me.MapPut("/", UpdateMe);
        return app;
    }

    static async Task<Results<Ok<ProfileDto>, NotFound<ProblemDetails>, UnauthorizedHttpResult>> GetMe(ClaimsPrincipal user, UsersDbContext db, CancellationToken ct)
    {
        if (UserId(user) is not { } id)
        {
            return TypedResults.Unauthorized();
        }
        var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == id, ct);
        return profile is null ? ProfileNotFound() : TypedResults.Ok(ToDto(profile, user));
    }

    static async Task<Results<Ok<ProfileDto>, ValidationProblem, NotFound<ProblemDetails>, UnauthorizedHttpResult>> UpdateMe(
        UpdateProfileRequest request, ClaimsPrincipal user, UsersDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (UserId(user) is not { } id)
        {
            return TypedResults.Unauthorized();
        }
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var profile = await db.Profiles.SingleOrDefaultAsync(p => p.UserId == id, ct);
        if (profile is null)
        {
            return ProfileNotFound();
        }
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
        profile.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(profile, user));
    }

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

    private static Guid? UserId(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue("sub"), out var id) ? id : null;

    private static NotFound<ProblemDetails> ProfileNotFound() => TypedResults.NotFound(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Profile not found",
        Detail = "This account has no profile yet; it is created moments after registration.",
    });

    private static ProfileDto ToDto(UserProfile p, ClaimsPrincipal user) =>
        new(p.UserId, p.Email, p.DisplayName, p.EmailPreferences, user.FindAll("role").Select(r => r.Value).ToList());
}
