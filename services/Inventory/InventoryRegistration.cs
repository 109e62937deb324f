using Marketplace.Inventory.Data;
using Marketplace.Inventory.Development;
using Marketplace.Inventory.External;
using Marketplace.Inventory.Messaging;
using Marketplace.Inventory.Stock;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

namespace Marketplace.Inventory;

public static class InventoryRegistration
{
    /// <summary>Stock per SKU and warehouse, reservations, the ledger and the external warehouse adapters, wired once.</summary>
    public static IHostApplicationBuilder AddInventoryService(this IHostApplicationBuilder builder)
    {
        builder.AddMarketplaceAuthentication("inventory");
        builder.AddServiceDatabase<InventoryDbContext>("inventorydb");
        builder.AddMarketplaceMessaging<InventoryDbContext>(x =>
        {
            x.AddConsumer<ReserveStockConsumer>();
            x.AddConsumer<ConfirmReservationConsumer>();
            x.AddConsumer<ReleaseReservationConsumer>();
            x.AddConsumer<CommitReservationConsumer>();
            x.AddConsumer<CatalogOwnershipConsumer>();
        });

        builder.Services.AddOptions<InventoryOptions>().BindConfiguration("Inventory");
        builder.Services.AddScoped<StockBook>();
        builder.Services.AddSingleton<HoldLanes>();
        builder.Services.AddHostedService<ReservationExpiry>();
        builder.Services.AddHttpClient<CatalogSkus>(c => c.BaseAddress = new Uri("http://catalog")).AddServiceToken();
        builder.AddExternalSystems();
        if (builder.Environment.IsDevelopment())
        {
            builder.Services.AddSingleton<OpeningStock>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<OpeningStock>());
            builder.Services.AddHealthChecks().AddCheck<OpeningStock>("opening-stock");
        }
        return builder;
    }

    /// <summary>
    /// External warehouse/ERP systems: signed webhooks and CSV feeds in, our commits and adjustments out through
    /// their own outbox, relay and circuit breaker, and a reconciliation of both books.
    /// </summary>
    private static void AddExternalSystems(this IHostApplicationBuilder builder)
    {
        ExternalDirectory.Validate(builder.Services.AddOptions<ExternalOptions>().BindConfiguration(ExternalOptions.Section));
        builder.Services.AddSingleton<ExternalDirectory>();
        builder.Services.AddSingleton<IExternalWarehouses>(sp => sp.GetRequiredService<ExternalDirectory>());
        foreach (var system in builder.Configuration.GetSection($"{ExternalOptions.Section}:Systems").GetChildren())
        {
            // No standard resilience handler: the relay's own pipeline (breaker, timeout) and queue (retries) decide, and
            // the breaker must see every failure rather than a handler's retries of it.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to replace ConfigureHttpClientDefaults' handler for one client
            builder.Services.AddHttpClient(ExternalSystemClient.HttpClientName(system.Key), (sp, client) =>
                ExternalSystemClient.Configure(client, sp.GetRequiredService<ExternalDirectory>().Find(system.Key)!))
                .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        }
        builder.Services.AddScoped<ExternalStockInbox>();
        builder.Services.AddScoped<Reconciler>();
        builder.Services.AddSingleton<OutboundSignal>();
        builder.Services.ConfigureDbContext<InventoryDbContext>((services, options) =>
            options.AddInterceptors(new OutboundSignalInterceptor(services.GetRequiredService<OutboundSignal>())));
        builder.Services.AddSingleton<OutboundRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboundRelay>());
        builder.Services.AddHostedService<ExternalSyncSchedule>();
    }
}
