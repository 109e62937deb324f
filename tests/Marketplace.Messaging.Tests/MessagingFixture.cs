using Marketplace.Testing;
using RabbitMQ.Client;

[assembly: AssemblyFixture(typeof(Marketplace.Messaging.Tests.MessagingFixture))]

namespace Marketplace.Messaging.Tests;

/// <summary>One real PostgreSQL and one real RabbitMQ for the whole assembly.</summary>
public sealed class MessagingFixture : IAsyncLifetime
{
    private readonly string _dataDir = RepositoryRoot.NewScratchDirectory("marketplace-messaging-tests");
    private const string Password = "messaging-tests";
    private HostServer? _postgres, _epmd, _rabbit;

    public int PostgresPort { get; } = HostServer.FreePort();
    public int RabbitPort { get; } = HostServer.FreePort();
    private readonly int _distPort = HostServer.FreePort();
    private readonly int _epmdPort = HostServer.FreePort();

    public string BrokerConnectionString => $"amqp://marketplace:{Password}@127.0.0.1:{RabbitPort}";

    public string DatabaseConnectionString(string database) =>
        $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Password={Password};Database={database};Include Error Detail=true";

    public async ValueTask InitializeAsync()
    {
        _postgres = HostServer.Postgres(Path.Combine(_dataDir, "postgres"), PostgresPort, Password);
        _epmd = HostServer.Epmd(_epmdPort);
        await Task.WhenAll(_postgres.StartAsync(TimeSpan.FromSeconds(60)), StartBrokerAsync());
    }

    private async Task StartBrokerAsync()
    {
        await _epmd!.StartAsync(TimeSpan.FromSeconds(10));
        await StartRabbitAsync();
    }

    private async Task StartRabbitAsync()
    {
        _rabbit = HostServer.RabbitMq(Path.Combine(_dataDir, "rabbitmq"), RabbitPort, _distPort, _epmdPort, "marketplace", Password);
        await _rabbit.StartAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Stops the broker the way a crash or an outage would take it away.</summary>
    public async Task StopBrokerAsync()
    {
        await _rabbit!.DisposeAsync();
    }

    public Task RestartBrokerAsync() => StartRabbitAsync();

    public async Task<uint> QueueMessageCountAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(BrokerConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync(queue);
        return ok.MessageCount;
    }

    public async Task<IReadOnlyList<string>> QueueMessageIdsAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(BrokerConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ids = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: false) is { } result)
        {
            ids.Add(result.BasicProperties.MessageId ?? "");
        }
        return ids; // not acknowledged: the messages go back to the queue when the channel closes
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in new[] { _rabbit, _epmd, _postgres })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
