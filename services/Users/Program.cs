using Marketplace.Shared.Data;
using Marketplace.Users;
using Marketplace.Users.Api;
using Marketplace.Users.Data;

// Profiles, addresses and notification preferences.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddUsersService();

var app = builder.Build();

await app.MigrateDatabaseAsync<UsersDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapProfileEndpoints();

app.Run();
