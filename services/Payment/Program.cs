using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Payment.Data;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Payment intents, captures and refunds behind provider adapters.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("payment");
builder.AddServiceDatabase<PaymentDbContext>("paymentdb");
builder.AddMarketplaceMessaging<PaymentDbContext>();

var app = builder.Build();

await app.MigrateDatabaseAsync<PaymentDbContext>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();

app.Run();
