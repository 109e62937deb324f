using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Notification.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Marketplace.Notification.Email;

// E-mail and in-app notifications from order events.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("notification");
builder.AddServiceDatabase<NotificationDbContext>("notificationdb");
builder.AddMarketplaceMessaging<NotificationDbContext>();
builder.AddSmtpSink();

var app = builder.Build();

await app.MigrateDatabaseAsync<NotificationDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();

app.Run();
