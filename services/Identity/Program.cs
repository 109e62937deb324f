using Marketplace.Identity;
using Marketplace.Identity.Api;
using Marketplace.Identity.Data;
using Marketplace.Identity.Security;
using Marketplace.Shared.Data;

// Auth Service: an OpenID Connect provider (OpenIddict 7) over ASP.NET Core Identity accounts.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIdentityService();

var app = builder.Build();

await app.MigrateDatabaseAsync<AccountsDbContext>();
await IdentitySeeder.SeedAsync(app.Services, app.Environment.IsDevelopment(), CancellationToken.None);

// Requests arrive through the Gateway, which vouches for the client's address and the public origin (ClientAddress).
app.UseMarketplaceDefaults();
app.UseIdentitySecurityHeaders();
// Under /account so the gateway's /account route serves them on the public origin.
app.UseStaticFiles(new StaticFileOptions { RequestPath = "/account/static" });
app.UseAuthentication();
app.UseAuthorization();
app.MapTokenEndpoint();
app.MapAuthorizationEndpoints();
app.MapRazorPages();

app.Run();
