using Marketplace.PaymentProvider;

// A stand-in for a third-party payment provider (Stripe-like), reached only over HTTP: payment
// intents with manual capture, refunds, idempotency keys, signed webhooks, and switches for
// latency, declines, asynchronous authorizations and outages (/sim/settings).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPaymentProviderSimulator();

var app = builder.Build();
app.UseMarketplaceDefaults();
app.MapProviderApi();
app.MapSimulatorControls();
app.Run();
