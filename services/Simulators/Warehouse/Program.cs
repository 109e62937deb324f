// A stand-in for an external warehouse/ERP system, reached only over HTTP.
// Its stock book, signed webhooks and CSV feed arrive with the integrations issue.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.Run();
