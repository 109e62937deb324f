using Marketplace.Shared.Concurrency;
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
        builder.Services.AddOptions<ForegroundWorkOptions>().BindConfiguration(ForegroundWorkOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ForegroundWork>();
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
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(endpointPrefix, includeNamespace: false));
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
