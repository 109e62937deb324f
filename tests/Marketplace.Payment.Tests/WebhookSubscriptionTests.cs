using System.Collections.Concurrent;
using System.Text.Json;
using Marketplace.PaymentProvider;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketplace.Payment.Tests;

/// <summary>The simulator's webhook endpoint sends only the event types it is subscribed to, as a real provider's does.</summary>
public sealed class WebhookSubscriptionTests
{
    [Fact]
    public async Task Only_subscribed_event_types_are_posted_and_no_list_means_every_type()
    {
        var onlyOutcomes = await PostedTypesAsync(["payment_intent.amount_capturable_updated", "payment_intent.payment_failed"], expected: 2);
        var everything = await PostedTypesAsync([], expected: 4);

        Assert.Equal(["payment_intent.amount_capturable_updated", "payment_intent.payment_failed"], onlyOutcomes.Order());
        Assert.Equal(4, everything.Count);
    }

    private static async Task<List<string>> PostedTypesAsync(string[] subscribed, int expected)
    {
        var posted = new ConcurrentQueue<string>();
        var options = Options.Create(new ProviderOptions { WebhookUrl = "http://receiver.test/hook", WebhookSecret = "whsec_subscription", WebhookEvents = subscribed });
        using var dispatcher = new WebhookDispatcher(new Receiver(posted), options, TimeProvider.System, NullLogger<WebhookDispatcher>.Instance);
        var ct = TestContext.Current.CancellationToken;
        await dispatcher.StartAsync(ct);
        var view = new IntentView("pi_1", "payment_intent", 100, 100, 0, 0, "usd", "requires_capture", "pm_card_visa", "manual", new Dictionary<string, string>(), 0, null);
        string[] sent = ["payment_intent.amount_capturable_updated", "payment_intent.succeeded", "payment_intent.canceled", "payment_intent.payment_failed"];
        foreach (var type in sent)
        {
            dispatcher.Publish(type, view);
        }
        await PaymentWorld.EventuallyAsync(() => Task.FromResult(posted.Count >= expected), "the webhooks are posted");
        await Task.Delay(300, ct); // deliveries run side by side: one that should not have gone would be in by now
        await dispatcher.StopAsync(ct);
        return [.. posted];
    }

    private sealed class Receiver(ConcurrentQueue<string> posted) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new Recording(posted));

        private sealed class Recording(ConcurrentQueue<string> posted) : HttpMessageHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
                posted.Enqueue(body.RootElement.GetProperty("type").GetString()!);
                return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            }
        }
    }
}
