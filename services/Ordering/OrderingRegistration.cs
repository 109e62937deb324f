using Marketplace.Ordering.Cart;
using Marketplace.Ordering.Checkout;
using Marketplace.Ordering.Data;
using Marketplace.Ordering.Domain;
using Marketplace.Ordering.Saga;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

namespace Marketplace.Ordering;

public static class OrderingRegistration
{
    /// <summary>Cart, checkout, the order lifecycle and the checkout saga: everything Ordering runs, wired once.</summary>
    public static IHostApplicationBuilder AddOrderingService(this IHostApplicationBuilder builder)
    {
        builder.AddMarketplaceAuthentication("ordering");
        builder.AddServiceDatabase<OrderingDbContext>("orderingdb");
        builder.AddMarketplaceMessaging<OrderingDbContext>(x =>
        {
            x.AddConsumer<StockReservedConsumer>();
            x.AddConsumer<StockReservationFailedConsumer>();
            x.AddConsumer<ReservationExpiredConsumer>();
            x.AddConsumer<ReservationConfirmationFailedConsumer>();
            x.AddConsumer<PaymentAuthorizedConsumer>();
            x.AddConsumer<PaymentDeclinedConsumer>();
            x.AddConsumer<PaymentCapturedConsumer>();
            x.AddConsumer<PaymentVoidedConsumer>();
            x.AddConsumer<PaymentRefundedConsumer>();
        });
        builder.AddRedisClient("redis");

        builder.Services.AddOptions<SagaTimeouts>().BindConfiguration("Ordering");
        builder.Services.AddSingleton<CartStore>();
        builder.Services.AddScoped<Application.PlaceOrder>();
        builder.Services.AddScoped<Application.OrderChanges>();
        builder.Services.AddHostedService<OrderTimeouts>();
        builder.Services.AddSingleton<CatalogPrices.InFlight>();
        builder.Services.AddOptions<SoldOutMemoryOptions>().BindConfiguration("Ordering:SoldOutMemory");
        builder.Services.AddSingleton<SoldOutMemory>();
        builder.Services.AddHttpClient<CatalogPrices>(c => c.BaseAddress = new Uri("http://catalog")).AddServiceToken();
        // The hold at the click: the buyer waits on it, so a slow Inventory is given up on (6 s an attempt, 13 s in all;
        // the order then goes Pending and the saga asks by message). Retrying is safe: a hold is keyed by the order's id.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the documented way to replace ServiceDefaults' handler
        var stockHolds = builder.Services.AddHttpClient<StockHolds>(c => c.BaseAddress = new Uri("http://inventory")).RemoveAllResilienceHandlers();
        stockHolds.AddStandardResilienceHandler(o =>
        {
            o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(6);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(13);
            o.Retry.MaxRetryAttempts = 1;
            // No breaker: a burst of slow holds in a sale must not turn every later buyer's answer into "Pending";
            // each call has its own deadline and its own fallback.
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(12);
            o.CircuitBreaker.ShouldHandle = _ => ValueTask.FromResult(false);
        });
        stockHolds.AddServiceToken();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
