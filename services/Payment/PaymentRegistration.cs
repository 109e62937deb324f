using System.Net.Http.Headers;
using Marketplace.Payment.Data;
using Marketplace.Payment.Messaging;
using Marketplace.Payment.Processing;
using Marketplace.Payment.Domain;
using Marketplace.Payment.Provider;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly;

namespace Marketplace.Payment;

public static class PaymentRegistration
{
    public static void AddPaymentConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AuthorizePaymentConsumer>();
        bus.AddConsumer<CapturePaymentConsumer>();
        bus.AddConsumer<VoidPaymentConsumer>();
        bus.AddConsumer<RefundPaymentConsumer>();
    }

    /// <summary>Payment intents, captures and refunds behind a provider adapter, wired once.</summary>
    public static IHostApplicationBuilder AddPaymentService(this IHostApplicationBuilder builder)
    {
        builder.AddMarketplaceAuthentication("payment");
        builder.AddServiceDatabase<PaymentDbContext>("paymentdb");
        builder.AddMarketplaceMessaging<PaymentDbContext>(x => x.AddPaymentConsumers());
        return builder.AddPayments();
    }

    /// <summary>The provider adapter, the processor that calls it, and webhook handling.</summary>
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PaymentProcessorOptions>().BindConfiguration(PaymentProcessorOptions.Section)
            .Validate(o => o.Concurrency > 0 && o.BatchSize > 0, "Payment:Processor:Concurrency and BatchSize must be positive.")
            // A call that outlived its lease could run beside the next claim's; the shared key keeps that harmless, but not free.
            .Validate<IOptions<PaymentProviderOptions>>((o, provider) => provider.Value.TotalTimeout < o.LeaseDuration,
                "PaymentProvider:TotalTimeout must be shorter than Payment:Processor:LeaseDuration.")
            .ValidateOnStart();
        builder.Services.AddOptions<PaymentProviderOptions>().BindConfiguration(PaymentProviderOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "PaymentProvider:ApiKey is required: the AppHost provides it.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.WebhookSecret), "PaymentProvider:WebhookSecret is required: the AppHost provides it.")
            .ValidateOnStart();

        builder.Services.AddSingleton<PaymentWorkSignal>();
        builder.Services.ConfigureDbContext<PaymentDbContext>((services, options) =>
            options.AddInterceptors(new PaymentWorkSignalInterceptor(services.GetRequiredService<PaymentWorkSignal>())));
        builder.Services.AddSingleton<PaymentProcessor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PaymentProcessor>());
        builder.Services.AddScoped<ProviderNotices>();
        builder.Services.AddSingleton<WebhookSignature>();

        var provider = builder.Configuration.GetSection(PaymentProviderOptions.Section).Get<PaymentProviderOptions>() ?? new PaymentProviderOptions();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to replace ConfigureHttpClientDefaults' handler for one client
        builder.Services.AddHttpClient<IPaymentProvider, StripeLikeProvider>((services, http) =>
            {
                var options = services.GetRequiredService<IOptions<PaymentProviderOptions>>().Value;
                http.BaseAddress = options.BaseUrl;
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            })
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(resilience =>
            {
                // Retrying a POST is safe here: each retry re-sends the same Idempotency-Key, and the provider answers it
                // with the first attempt's outcome. Kept short because the processor retries too, on its own backoff.
                resilience.AttemptTimeout.Timeout = provider.AttemptTimeout;
                resilience.TotalRequestTimeout.Timeout = provider.TotalTimeout;
                resilience.Retry.MaxRetryAttempts = 2;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                resilience.Retry.BackoffType = DelayBackoffType.Exponential;
                resilience.Retry.UseJitter = true;
                // Half the calls failing over 10+ of them opens the circuit: during an outage calls fail fast instead of piling up.
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.MinimumThroughput = 10;
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, provider.AttemptTimeout.Ticks * 2));
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
            });
#pragma warning restore EXTEXP0001
        return builder;
    }
}
