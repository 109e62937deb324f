// A stand-in for a third-party payment provider (Stripe-like), reached only over HTTP.
// Its behaviour (intents, latency, declines, outages, webhooks) arrives with the checkout issue.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.Run();
