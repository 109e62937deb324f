using Marketplace.Search.Api;
using Marketplace.Search.Index;
using Marketplace.Search.Messaging;
using Marketplace.Shared.Messaging;

// Search Service: an index fed by catalogue and stock events.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSearchIndex();
builder.AddMarketplaceMessaging(x => x.AddConsumer<ProductPublishedConsumer>());

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapSearchEndpoints();

app.Run();
