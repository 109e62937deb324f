using Marketplace.Testing;

[assembly: AssemblyFixture(typeof(Marketplace.Notification.Tests.Infrastructure))]

namespace Marketplace.Notification.Tests;

/// <summary>
/// The real servers the service needs, once for the assembly: PostgreSQL, Redis, an SMTP sink writing a
/// maildir, and our own stand-in for Users' contact endpoint (a third party from this service's view).
/// </summary>
public sealed class Infrastructure : IAsyncLifetime
{
    private const string PostgresPassword = "notification-tests";
    private readonly string _scratch = RepositoryRoot.NewScratchDirectory("marketplace-notification-tests");
    private readonly int _postgresPort = HostServer.FreePort();
    private HostServer? _postgres;
    private HostServer? _redis;
    private HostServer? _smtp;

    public int RedisPort { get; } = HostServer.FreePort();
    public Mailbox Mail { get; private set; } = null!;
    public UsersStub Users { get; } = new();

    /// <summary>The service instance most tests share (on the shared SMTP sink); each test uses ids of its own.</summary>
    public NotificationApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = HostServer.Postgres(Path.Combine(_scratch, "postgres"), _postgresPort, PostgresPassword);
        _redis = HostServer.Redis(RedisPort);
        Mail = new Mailbox(Path.Combine(_scratch, "mail"), HostServer.FreePort());
        _smtp = Mail.Server;
        await Task.WhenAll(
            _postgres.StartAsync(TimeSpan.FromSeconds(60)),
            _redis.StartAsync(TimeSpan.FromSeconds(20)),
            _smtp.StartAsync(TimeSpan.FromSeconds(20)),
            Users.StartAsync());
        App = new NotificationApp(this, Mail).Started();
    }

    /// <summary>A connection string to a database of its own (the service migrates it at start).</summary>
    public string NewDatabase() =>
        $"Host=127.0.0.1;Port={_postgresPort};Username=postgres;Password={PostgresPassword};Database=notification_{Guid.NewGuid():N};Include Error Detail=true";

    /// <summary>A second SMTP sink, not started: for tests that take SMTP away and bring it back.</summary>
    public Mailbox NewMailbox() => new(Path.Combine(_scratch, $"mail-{Guid.NewGuid():N}"), HostServer.FreePort());

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        await Users.DisposeAsync();
        foreach (var server in new[] { _smtp, _redis, _postgres })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // postgres-owned files may resist; the scratch area is cleaned by the OS.
        }
    }
}
