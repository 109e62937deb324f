using System.Collections.Concurrent;
using Marketplace.Shared.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.Messaging.Tests;

/// <summary>A service-shaped host: its own database, the outbox relay and MassTransit consumers on the real broker.</summary>
public sealed class MessagingHost : IAsyncDisposable
{
    private readonly IHost _host;

    private MessagingHost(IHost host, string endpointPrefix)
    {
        _host = host;
        EndpointPrefix = endpointPrefix;
        host.Services.GetRequiredService<IBus>().ConnectConsumeObserver(Observer);
    }

    public string EndpointPrefix { get; }
    public ConsumeCounter Observer { get; } = new();
    public IServiceProvider Services => _host.Services;

    public static async Task<MessagingHost> StartAsync(MessagingFixture fixture, string name, Action<IBusRegistrationConfigurator>? moreConsumers = null)
    {
        var prefix = $"tests-{name}-{Guid.NewGuid():N}"[..30];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "Marketplace.Messaging.Tests",
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:rabbitmq"] = fixture.BrokerConnectionString,
            ["Messaging:EndpointPrefix"] = prefix,
            ["Messaging:Outbox:MaxBackoff"] = "00:00:02",
            ["Messaging:Outbox:PublishTimeout"] = "00:00:02",
        });
        var connectionString = fixture.DatabaseConnectionString(prefix.Replace('-', '_'));
        builder.Services.AddDbContext<TestDbContext>((sp, o) => o.UseNpgsql(connectionString).AddOutboxSignal(sp));
        builder.AddMarketplaceMessaging<TestDbContext>(x =>
        {
            x.AddConsumer<WidgetCreatedConsumer>();
            x.AddConsumer<PoisonConsumer>();
            moreConsumers?.Invoke(x);
        });
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TestDbContext>().Database.EnsureCreatedAsync();
        }
        await host.StartAsync();
        return new MessagingHost(host, prefix);
    }

    public async Task<T> WithDbAsync<T>(Func<TestDbContext, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TestDbContext>());
    }

    public Task WithDbAsync(Func<TestDbContext, Task> work) => WithDbAsync(async db => { await work(db); return 0; });

    /// <summary>Creates a widget and announces it, in one transaction, as a service would.</summary>
    public Task<Guid> CreateWidgetAsync(string name) => WithDbAsync(async db =>
    {
        var widget = new Widget { Id = Guid.NewGuid(), Name = name };
        db.Widgets.Add(widget);
        db.AddIntegrationEvent(new WidgetCreated(widget.Id, name, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        return widget.Id;
    });

    public Task<List<HandledWidget>> HandledAsync(Guid widgetId) =>
        WithDbAsync(db => db.Handled.AsNoTracking().Where(h => h.WidgetId == widgetId).ToListAsync());

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout}: {because}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Counts completed and faulted consumptions per MessageId.</summary>
public sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> _completed = new();
    private readonly ConcurrentDictionary<Guid, int> _faulted = new();

    public int Completed(Guid messageId) => _completed.GetValueOrDefault(messageId);
    public int Faulted(Guid messageId) => _faulted.GetValueOrDefault(messageId);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _completed.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        _faulted.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
