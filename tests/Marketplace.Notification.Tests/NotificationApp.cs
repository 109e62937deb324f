using System.Net.Http.Headers;
using Marketplace.Notification.Data;
using Marketplace.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Notification.Tests;

/// <summary>
/// The Notification service as it runs (its own Program), on real PostgreSQL, Redis and SMTP, with
/// MassTransit's in-memory harness instead of RabbitMQ and tokens signed by the test instead of Identity.
/// </summary>
public sealed class NotificationApp(Infrastructure infrastructure, Mailbox mailbox) : WebApplicationFactory<Program>
{

    private readonly string _database = infrastructure.NewDatabase();
    private readonly ConsumptionLog _consumptions = new();

    public ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:notificationdb", _database);
        builder.UseSetting("ConnectionStrings:redis", $"127.0.0.1:{infrastructure.RedisPort}");
        builder.UseSetting("ConnectionStrings:smtp", mailbox.ConnectionString);
        builder.UseSetting("Services:users:http:0", infrastructure.Users.BaseAddress);
        builder.UseSetting("ServiceAuth:Authority", infrastructure.Users.BaseAddress);
        builder.UseSetting("ServiceAuth:ClientId", UsersStub.ClientId);
        builder.UseSetting("ServiceAuth:ClientSecret", UsersStub.ClientSecret);
        builder.UseSetting("ServiceAuth:Scopes", "users");
        builder.UseSetting("Notification:Email:PollInterval", "00:00:00.200");
        builder.UseSetting("Notification:Email:FirstBackoff", "00:00:00.200");
        builder.UseSetting("Notification:Email:MaxBackoff", "00:00:00.500");
        builder.UseSetting("Notification:Email:SmtpTimeout", "00:00:05");
        builder.UseSetting("Notification:Live:HeartbeatInterval", "00:00:01");
        builder.ConfigureTestServices(services =>
        {
            services.AddMassTransitTestHarness(x => x.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(5)));
            services.TrustTestTokens();
        });
    }

    /// <summary>Starts the host (migrating its database) before the first test uses it.</summary>
    public NotificationApp Started()
    {
        _ = Server;
        Harness.Bus.ConnectConsumeObserver(_consumptions);
        return this;
    }

    public HttpClient ClientFor(Guid userId, string role = "shopper", Guid? merchantId = null) => ClientWith(Token(userId, role, merchantId));

    public HttpClient ClientWith(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static string Token(Guid userId, string role, Guid? merchantId = null, string audience = "notification", TimeSpan? lifetime = null) =>
        TestTokens.Create(userId, audience, [role], merchantId is { } m ? [new System.Security.Claims.Claim("merchant_id", m.ToString())] : null, lifetime);

    /// <summary>Publishes with a chosen MessageId and waits until that delivery has been handled or has failed.</summary>
    public Task<ConsumeOutcome> DeliverAsync<T>(T message, Guid messageId) where T : class => _consumptions.DeliverAsync(Harness.Bus, message, messageId);

    public async Task<TResult> QueryAsync<TResult>(Func<NotificationDbContext, Task<TResult>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        return await query(db);
    }
}
