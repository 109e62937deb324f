using Marketplace.Users.Data;
using Marketplace.Shared.Data;
using System.Security.Claims;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Messaging;

// Profiles, addresses and notification preferences.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<UsersDbContext>("usersdb");
builder.AddMarketplaceMessaging<UsersDbContext>();
builder.AddMarketplaceAuthentication(audience: "users");

var app = builder.Build();

await app.MigrateDatabaseAsync<UsersDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();

// The signed-in account as the token describes it; the stored profile (addresses, preferences) comes next.
app.MapGet("/api/users/me", (ClaimsPrincipal user) => TypedResults.Ok(new
{
    id = user.FindFirstValue("sub"),
    name = user.FindFirstValue("name"),
    email = user.FindFirstValue("email"),
    roles = user.FindAll("role").Select(r => r.Value).ToArray(),
    merchantId = user.FindFirstValue("merchant_id"),
})).RequireAuthorization().WithTags("Users");

app.Run();
