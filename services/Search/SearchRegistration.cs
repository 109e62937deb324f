using Marketplace.Search.Api;
using Marketplace.Search.Index;
using Marketplace.Search.Messaging;
using Marketplace.Search.Rebuild;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Messaging;

namespace Marketplace.Search;

public static class SearchRegistration
{
    /// <summary>An index fed by catalogue and stock events, its rebuild and its queries, wired once.</summary>
    public static IHostApplicationBuilder AddSearchService(this IHostApplicationBuilder builder)
    {
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
        return builder;
    }
}
