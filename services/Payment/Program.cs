using Marketplace.Payment;
using Marketplace.Payment.Api;
using Marketplace.Payment.Data;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

// Payment intents, captures and refunds behind a provider adapter: the saga's commands record what
// it wants, a processor makes the provider calls, replies leave through the outbox.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("payment");
builder.AddServiceDatabase<PaymentDbContext>("paymentdb");
builder.AddMarketplaceMessaging<PaymentDbContext>(x => x.AddPaymentConsumers());
builder.AddPayments();

var app = builder.Build();

await app.MigrateDatabaseAsync<PaymentDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapPaymentEndpoints();

app.Run();
