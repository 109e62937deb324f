using Marketplace.Payment;
using Marketplace.Payment.Api;
using Marketplace.Payment.Data;
using Marketplace.Shared.Data;

// Payment intents, captures and refunds behind a provider adapter: the saga's commands record what
// it wants, a processor makes the provider calls, replies leave through the outbox.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPaymentService();

var app = builder.Build();

await app.MigrateDatabaseAsync<PaymentDbContext>();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapPaymentEndpoints();

app.Run();
