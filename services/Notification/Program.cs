using Marketplace.Notification.Api;
using Marketplace.Notification.Data;
using Marketplace.Notification;
using Marketplace.Shared.Data;

// E-mail and in-app notifications from order events, and live updates to the web app.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNotificationService();

var app = builder.Build();

await app.MigrateDatabaseAsync<NotificationDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapNotificationEndpoints();

app.Run();
