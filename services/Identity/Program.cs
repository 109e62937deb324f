using Marketplace.Identity.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Auth Service: the OpenID Connect provider (OpenIddict + ASP.NET Core Identity arrive with the identity issue).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<IdentityDbContext>("identitydb");
builder.AddMarketplaceMessaging<IdentityDbContext>();

var app = builder.Build();

await app.MigrateDatabaseAsync<IdentityDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
