using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Marketplace.Users.Api;
using Marketplace.Users.Data;
using Marketplace.Users.Messaging;

// Profiles, addresses and notification preferences.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<UsersDbContext>("usersdb");
builder.AddMarketplaceMessaging<UsersDbContext>(x => x.AddConsumer<UserRegisteredConsumer>());
builder.AddMarketplaceAuthentication("users");
builder.Services.AddScoped<ProfileMutations>();

var app = builder.Build();

await app.MigrateDatabaseAsync<UsersDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapProfileEndpoints();

app.Run();
