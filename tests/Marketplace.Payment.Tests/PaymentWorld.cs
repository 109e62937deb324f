using System.Net;
using System.Net.Http.Json;
using System.Text;
using Marketplace.Payment.Data;
using Marketplace.Payment.Domain;
using Marketplace.Payment.Processing;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Marketplace.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Payment.Tests;

/// <summary>
/// The Payment service (its own Program, on Kestrel, with a fresh copy of its database) and the
/// PaymentProvider simulator (also on Kestrel), talking real HTTP to each other: Payment calls the
/// provider's API, the provider posts signed webhooks to Payment. The bus is MassTransit's in-memory
/// harness instead of RabbitMQ; the processor does not run by itself: tests drive its passes.
/// </summary>
public class PaymentWorld(PostgresFixture postgres) : IAsyncLifetime
{
    public const string ApiKey = "sk_test_payment_tests";
    public const string WebhookSecret = "whsec_payment_tests";

    private WebApplicationFactory<PaymentBook>? _provider;
    private WebApplicationFactory<PaymentDbContext>? _payment;

    /// <summary>Whether the provider posts webhooks to Payment (otherwise Payment must ask for async outcomes itself).</summary>
    protected virtual bool ProviderSendsWebhooks => true;

    /// <summary>Whether the processor's own loop runs (otherwise only the passes a test makes call the provider).</summary>
    protected virtual bool ProcessorRuns => false;

    public string ConnectionString { get; private set; } = "";
    public HttpClient Provider { get; private set; } = null!;
    public HttpClient Payment { get; private set; } = null!;
    public Uri PaymentAddress { get; private set; } = null!;
    public PaymentProcessor Processor => _payment!.Services.GetRequiredService<PaymentProcessor>();
    public IServiceProvider PaymentServices => _payment!.Services;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await postgres.NewDatabaseAsync();
        var providerPort = HostServer.FreePort();
        var paymentPort = HostServer.FreePort();
        PaymentAddress = new Uri($"http://127.0.0.1:{paymentPort}");

        _provider = new ConfiguredFactory<PaymentBook>(new()
        {
            ["PaymentProvider:ApiKey"] = ApiKey,
            ["PaymentProvider:WebhookSecret"] = WebhookSecret,
            ["PaymentProvider:WebhookUrl"] = ProviderSendsWebhooks ? $"{PaymentAddress}api/payments/webhooks/provider" : null,
            ["PaymentProvider:LatencyMs"] = "0",
            ["PaymentProvider:AsyncDelayMs"] = "300",
            ["PaymentProvider:WebhookFirstRetryDelay"] = "00:00:00.200",
        }, services => { });
        // Bound through Kestrel's options: UseKestrel(port) rewrites the addresses after Build, racing Program's own app.Run().
        _provider.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, providerPort));
        _provider.StartServer();
        Provider = _provider.CreateClient();

        _payment = new ConfiguredFactory<PaymentDbContext>(new()
        {
            ["ConnectionStrings:paymentdb"] = ConnectionString,
            ["ConnectionStrings:rabbitmq"] = "amqp://unused:unused@127.0.0.1:1/",
            ["PaymentProvider:BaseUrl"] = $"http://127.0.0.1:{providerPort}",
            ["PaymentProvider:ApiKey"] = ApiKey,
            ["PaymentProvider:WebhookSecret"] = WebhookSecret,
            ["Payment:Processor:Enabled"] = ProcessorRuns ? "true" : "false",
            // Long enough that a test which sees work done well within it saw the commit signal wake the processor, not a poll.
            ["Payment:Processor:PollInterval"] = "00:01:00",
            ["Payment:Processor:MaxBackoff"] = "00:00:01",
            ["Payment:Processor:ProcessingRecheck"] = "00:00:01",
        }, services =>
        {
            // The in-memory bus replaces RabbitMQ and keeps the service's own consumers.
            services.AddMassTransitTestHarness();
            services.TrustTestTokens();
        });
        _payment.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, paymentPort));
        _payment.StartServer();
        Payment = _payment.CreateClient();
    }

    /// <summary>Delivers a command to Payment's consumer through the bus and waits until its transaction committed.</summary>
    public async Task<Guid> SendAsync<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await _payment!.Services.GetRequiredService<IBus>().Publish(message, c => c.MessageId = messageId, TestContext.Current.CancellationToken);
        await EventuallyAsync(() => WithDbAsync(db => db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId)),
            $"{typeof(T).Name} {messageId} is handled");
        return messageId;
    }

    public Task<int> PassAsync() => Processor.ProcessDueAsync(TestContext.Current.CancellationToken);

    public async Task<T> WithDbAsync<T>(Func<PaymentDbContext, Task<T>> work)
    {
        await using var db = new PaymentDbContext(new DbContextOptionsBuilder<PaymentDbContext>().UseNpgsql(ConnectionString).Options);
        return await work(db);
    }

    /// <summary>Makes the order's payment due at once, so the next pass takes it whatever backoff it was given.</summary>
    public Task<int> DueNowAsync(Guid orderId) =>
        WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE payment_intents SET next_attempt_at = now() WHERE order_id = {orderId}"));

    public Task<PaymentIntent?> PaymentAsync(Guid orderId) =>
        WithDbAsync(db => db.PaymentIntents.AsNoTracking().SingleOrDefaultAsync(p => p.OrderId == orderId));

    /// <summary>The events Payment's outbox holds (committed, whether or not relayed yet) about the order.</summary>
    public async Task<List<IIntegrationEvent>> EventsAsync(Guid orderId)
    {
        var rows = await WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync());
        return rows.Select(r => (IIntegrationEvent)r.Deserialize())
            .Where(e => e.GetType().GetProperty("OrderId")?.GetValue(e) is Guid id && id == orderId)
            .ToList();
    }

    public async Task<OrderLedger?> ProviderLedgerAsync(Guid orderId)
    {
        using var response = await Provider.GetAsync($"/sim/orders/{orderId}", TestContext.Current.CancellationToken);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound
            ? null
            : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<OrderLedger>(TestContext.Current.CancellationToken);
    }

    /// <summary>A webhook POSTed to Payment's receiver as the provider would, with this signature header (none when null).</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/payments/webhooks/provider") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add(WebhookDispatcher.SignatureHeader, signature);
        }
        return await Payment.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A call to the provider's API from outside Payment, as another client of the same account would make it.</summary>
    public async Task<HttpResponseMessage> ProviderPostAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await Provider.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task SetProviderAsync(SimulatorSettingsUpdate update)
    {
        using var response = await Provider.PutAsJsonAsync("/sim/settings", update, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A bearer token Payment accepts, for a user with these claims.</summary>
    public static string Token(Guid subject, params string[] roles) => TestTokens.Create(subject, "payment", roles);

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout ?? TimeSpan.FromSeconds(15)}: {because}");
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_payment is not null)
        {
            await _payment.DisposeAsync();
        }
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    private sealed class ConfiguredFactory<TEntryPoint>(Dictionary<string, string?> settings, Action<IServiceCollection> services)
        : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureTestServices(services);
        }
    }
}

/// <summary>The processor runs by itself, as in production.</summary>
public sealed class RunningProcessorWorld(PostgresFixture postgres) : PaymentWorld(postgres)
{
    protected override bool ProcessorRuns => true;
}

/// <summary>A provider that sends no webhooks: Payment learns asynchronous outcomes only by asking.</summary>
public sealed class SilentProviderWorld(PostgresFixture postgres) : PaymentWorld(postgres)
{
    protected override bool ProviderSendsWebhooks => false;
}
