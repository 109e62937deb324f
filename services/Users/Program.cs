using Marketplace.Users.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Profiles, addresses and notification preferences.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<UsersDbContext>("usersdb");
builder.AddMarketplaceMessaging<UsersDbContext>();

var app = builder.Build();

await app.MigrateDatabaseAsync<UsersDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
