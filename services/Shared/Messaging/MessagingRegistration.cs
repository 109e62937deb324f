using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Marketplace.Shared.Messaging;

public static class MessagingRegistration
{
    public const string BrokerConnectionName = "rabbitmq";

    /// <summary>
    /// MassTransit over RabbitMQ plus the EF Core outbox relay for <typeparamref name="TDbContext"/>.
    /// </summary>
    public static IHostApplicationBuilder AddMarketplaceMessaging<TDbContext>(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
        where TDbContext : DbContext
    {
        builder.Services.AddOptions<OutboxRelayOptions>().BindConfiguration("Messaging:Outbox");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.AddHostedService<OutboxRelay<TDbContext>>();
        return builder.AddMarketplaceMessaging(configureConsumers);
    }

    /// <summary>
    /// MassTransit over RabbitMQ, for a service that consumes but keeps no outbox. Failed messages are
    /// retried in-process, then moved to the endpoint's <c>_error</c> queue; none is ever acknowledged
    /// without being handled.
    /// </summary>
    public static IHostApplicationBuilder AddMarketplaceMessaging(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
    {
        var endpointPrefix = builder.Configuration["Messaging:EndpointPrefix"] ?? ServiceName(builder.Environment.ApplicationName);

        // Start-up waits for the bus, so the service's queues and bindings exist before anything it
        // publishes (or anything published to it) could miss them.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new EndpointNames(endpointPrefix));
            configureConsumers?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var connectionString = context.GetRequiredService<IConfiguration>().GetConnectionString(BrokerConnectionName)
                    ?? throw new InvalidOperationException($"Connection string '{BrokerConnectionName}' is missing: the AppHost provides it with WithReference(rabbitmq).");
                ConfigureHost(cfg, connectionString);
                cfg.UseMessageRetry(r => r.Intervals(
                    TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500),
                    TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>
    /// Registers <typeparamref name="TConsumer"/> to handle its messages in batches (<see cref="IdempotentBatchConsumer{TConsumer, TMessage, TDbContext}"/>):
    /// up to <paramref name="messageLimit"/> waiting messages in one transaction, on the queue the consumer has on its own.
    /// For the messages every order brings; the rest keep one transaction per message.
    /// </summary>
    public static void AddIdempotentBatchConsumer<TConsumer, TMessage, TDbContext>(this IBusRegistrationConfigurator bus, int messageLimit = 32)
        where TConsumer : IdempotentConsumer<TMessage, TDbContext>
        where TMessage : class
        where TDbContext : DbContext
    {
        bus.TryAddScoped<TConsumer>();
        bus.AddConsumer<IdempotentBatchConsumer<TConsumer, TMessage, TDbContext>>(c => c.Options<BatchOptions>(o => o
                .SetMessageLimit(messageLimit)
                .SetTimeLimit(TimeSpan.FromMilliseconds(10)) // a lone message waits this long for company at most
                .SetConcurrencyLimit(2)))
            .Endpoint(e => e.PrefetchCount = messageLimit * 2);
    }

    /// <summary>
    /// Kebab-case queue names with the service's prefix; a batch consumer gets the queue its consumer would have on its own
    /// (MassTransit would name it after its last type argument, the DbContext).
    /// </summary>
    private sealed class EndpointNames(string prefix) : KebabCaseEndpointNameFormatter(prefix, includeNamespace: false)
    {
        protected override string GetConsumerName(Type type) =>
            base.GetConsumerName(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IdempotentBatchConsumer<,,>) ? type.GetGenericArguments()[0] : type);
    }

    /// <summary>Registers the interceptor that wakes the relay on commit; call inside AddDbContext's options.</summary>
    public static DbContextOptionsBuilder AddOutboxSignal(this DbContextOptionsBuilder options, IServiceProvider services)
    {
        var signal = services.GetService<OutboxSignal>();
        return signal is null ? options : options.AddInterceptors(new OutboxSignalInterceptor(signal));
    }

    /// <summary>Accepts <c>amqp://user:pass@host:port/vhost</c>, the form Aspire's RabbitMQ resources produce.</summary>
    public static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, string connectionString)
    {
        var uri = new Uri(connectionString);
        var userInfo = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
        var virtualHost = uri.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), virtualHost, h =>
        {
            if (userInfo.Length == 2)
            {
                h.Username(userInfo[0]);
                h.Password(userInfo[1]);
            }
        });
    }

    internal static string ServiceName(string applicationName) =>
        (applicationName.StartsWith("Marketplace.", StringComparison.Ordinal) ? applicationName["Marketplace.".Length..] : applicationName)
        .ToLowerInvariant();
}
