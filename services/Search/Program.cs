using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Search.Api;
using Marketplace.Search.Index;
using Marketplace.Search.Messaging;
using Marketplace.Search.Rebuild;
using Marketplace.Shared.Messaging;

// Search Service: an index fed by catalogue and stock events.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMarketplaceAuthentication("search");
builder.AddSearchIndex();
// Many events in flight at once, so one Lucene commit makes a whole group of them durable.
builder.AddMarketplaceMessaging(x =>
{
    x.AddConsumer<CatalogEventsConsumer>().Endpoint(e =>
    {
        e.PrefetchCount = 64;
        e.ConcurrentMessageLimit = 32;
    });
    x.AddConsumer<StockEventsConsumer>().Endpoint(e =>
    {
        e.PrefetchCount = 64;
        e.ConcurrentMessageLimit = 32;
    });
});

builder.Services.AddHttpClient(IndexRebuilder.CatalogClient, c => c.BaseAddress = new Uri("http://catalog")).AddServiceToken();
builder.Services.AddHttpClient(IndexRebuilder.InventoryClient, c => c.BaseAddress = new Uri("http://inventory")).AddServiceToken();
builder.Services.AddSingleton<IndexRebuilder>();
builder.Services.AddHostedService<RebuildWhenEmpty>();

var app = builder.Build();

app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapSearchEndpoints();

app.Run();
