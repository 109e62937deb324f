using System.Text.Json;
using System.Threading.Channels;
using Marketplace.Simulators;
using Microsoft.Extensions.Options;

namespace Marketplace.PaymentProvider;

/// <summary>
/// Sends events to <c>PaymentProvider:WebhookUrl</c> in the background, signed like Stripe's
/// (<c>Provider-Signature: t=…,v1=HMAC-SHA256("t.body")</c>), and retries a delivery that fails
/// (connection refused, non-2xx) with doubling delays. Each attempt is signed afresh, so a late
/// retry still passes the receiver's timestamp window.
/// </summary>
public sealed class WebhookDispatcher(
    IHttpClientFactory clients, IOptions<ProviderOptions> options, TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string ClientName = "webhooks";
    public const string SignatureHeader = "Provider-Signature";

    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>();
    private readonly ProviderOptions _options = options.Value;

    public void Publish(string type, IntentView intent)
    {
        if (string.IsNullOrWhiteSpace(_options.WebhookUrl) || (_options.WebhookEvents.Length > 0 && !_options.WebhookEvents.Contains(type)))
        {
            return;
        }
        var evt = new ProviderEvent($"evt_{Guid.NewGuid():N}", "event", type, clock.GetUtcNow().ToUnixTimeSeconds(), new ProviderEventData(intent));
        _events.Writer.TryWrite(evt);
    }

    public static string Sign(string secret, long timestamp, string body) => WebhookSignature.Sign(secret, timestamp, body);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var evt in _events.Reader.ReadAllAsync(stoppingToken))
            {
                // One slow or failing receiver must not hold back the events behind it.
                _ = DeliverAsync(evt, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(ProviderEvent evt, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(evt, ProviderJson.Options);
        var delay = _options.WebhookFirstRetryDelay;
        for (var attempt = 1; attempt <= _options.WebhookAttempts && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                var outcome = await WebhookPost.SendAsync(
                    clients.CreateClient(ClientName), _options.WebhookUrl!, body, SignatureHeader, _options.WebhookSecret!, clock, [], ct);
                if (outcome.Delivered)
                {
                    return;
                }
                logger.LogWarning("Webhook {EventId} ({Type}) failed, attempt {Attempt}: {Outcome}", evt.Id, evt.Type, attempt, outcome);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (attempt < _options.WebhookAttempts)
            {
                try
                {
                    await Task.Delay(delay, clock, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay *= 2;
            }
        }
        logger.LogError("Webhook {EventId} ({Type}) given up after {Attempts} attempts", evt.Id, evt.Type, _options.WebhookAttempts);
    }
}
