using System.Text.Json;
using Marketplace.Simulators;
using Microsoft.Extensions.Options;

namespace Marketplace.Warehouse;

/// <summary>
/// Sends events to <c>Warehouse:WebhookUrl</c> in the background, one delivery at a time in the
/// order they were raised, each attempt signed afresh (<c>Warehouse-Signature</c>). A failed
/// delivery waits its turn again after a doubling delay, without holding back the ones behind it;
/// a 4xx other than 408/429 is final. The switches hold deliveries back (outage), send them twice
/// (duplicateDelivery) or newest first (outOfOrder), or drop them (webhooks off).
/// </summary>
public sealed class WebhookDispatcher(
    IHttpClientFactory clients, IOptions<WarehouseOptions> options, WarehouseSwitches switches, TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string ClientName = "warehouse-webhooks";
    public const string SignatureHeader = "Warehouse-Signature";
    public const string EventIdHeader = "Warehouse-Event-Id";
    private const int OutOfOrderBatch = 10;
    private static readonly TimeSpan OutOfOrderWindow = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OutageRecheck = TimeSpan.FromMilliseconds(100);

    private readonly WarehouseOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Delivery, (DateTimeOffset Due, long Order)> _due = new();
    private readonly List<Delivery> _shuffled = [];
    private readonly List<Delivery> _log = [];
    private readonly SemaphoreSlim _wake = new(0);
    private DateTimeOffset _shuffleStartedAt;
    private long _order;

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.WebhookUrl);

    public void Publish(WarehouseEvent evt)
    {
        if (!Enabled)
        {
            return;
        }
        var body = JsonSerializer.Serialize(evt, WarehouseJson.Options);
        var skus = evt.Items.Select(i => i.Sku).ToList();
        var settings = switches.Current;
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            for (var copy = settings.DuplicateDelivery ? 2 : 1; copy > 0; copy--)
            {
                var delivery = new Delivery(evt.Id, evt.Type, skus, body);
                _log.Add(delivery);
                if (!settings.WebhooksEnabled)
                {
                    delivery.State = DeliveryStates.Disabled;
                    break;
                }
                if (settings.OutOfOrder)
                {
                    if (_shuffled.Count == 0)
                    {
                        _shuffleStartedAt = now;
                    }
                    _shuffled.Add(delivery);
                    if (_shuffled.Count >= OutOfOrderBatch)
                    {
                        ReleaseShuffled(now);
                    }
                }
                else
                {
                    _due.Enqueue(delivery, (now, _order++));
                }
            }
        }
        Wake();
    }

    public IReadOnlyList<DeliveryLogEntry> Deliveries(string? sku)
    {
        lock (_lock)
        {
            return [.. _log.Where(d => sku is null || d.Skus.Contains(sku)).Select(d => d.View())];
        }
    }

    /// <summary>Forgets the deliveries that are over; those still waiting stay listed.</summary>
    public void ForgetFinished()
    {
        lock (_lock)
        {
            _log.RemoveAll(d => d.IsOver);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (next, wait) = NextDue();
                if (next is null)
                {
                    await _wake.WaitAsync(wait ?? Timeout.InfiniteTimeSpan, stoppingToken);
                    continue;
                }
                await DeliverAsync(next, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The delivery to attempt now, or how long to wait before looking again (null: until woken).</summary>
    private (Delivery? Next, TimeSpan? Wait) NextDue()
    {
        var settings = switches.Current;
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (_shuffled.Count > 0 && (!settings.OutOfOrder || now - _shuffleStartedAt >= OutOfOrderWindow))
            {
                ReleaseShuffled(now);
            }
            TimeSpan? wait = _shuffled.Count > 0 ? _shuffleStartedAt + OutOfOrderWindow - now : null;
            if (_due.TryPeek(out var delivery, out var when))
            {
                if (settings.Outage)
                {
                    foreach (var (held, _) in _due.UnorderedItems)
                    {
                        held.State = DeliveryStates.Held;
                    }
                    return (null, Shortest(wait, OutageRecheck));
                }
                if (when.Due <= now)
                {
                    _due.Dequeue();
                    delivery.Attempts++;
                    delivery.State = DeliveryStates.Queued;
                    return (delivery, null);
                }
                wait = Shortest(wait, when.Due - now);
            }
            return (null, wait);
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken ct)
    {
        var outcome = await WebhookPost.SendAsync(
            clients.CreateClient(ClientName), _options.WebhookUrl!, delivery.Body, SignatureHeader, _options.WebhookSecret!, clock,
            [new(EventIdHeader, delivery.EventId)], ct);
        lock (_lock)
        {
            delivery.LastStatus = outcome.StatusCode;
            delivery.LastError = outcome.Delivered ? null : outcome.Error ?? $"HTTP {outcome.StatusCode}";
            if (outcome.Delivered)
            {
                delivery.State = DeliveryStates.Delivered;
                return;
            }
            if (outcome.Refused || delivery.Attempts >= _options.WebhookAttempts)
            {
                delivery.State = outcome.Refused ? DeliveryStates.Refused : DeliveryStates.Exhausted;
                logger.LogError("Webhook {EventId} ({Type}) given up after {Attempts} attempts: {Outcome}",
                    delivery.EventId, delivery.Type, delivery.Attempts, outcome);
                return;
            }
            delivery.State = DeliveryStates.Queued;
            _due.Enqueue(delivery, (clock.GetUtcNow() + RetryDelay(delivery.Attempts), _order++));
        }
        logger.LogWarning("Webhook {EventId} ({Type}) failed, attempt {Attempt}: {Outcome}", delivery.EventId, delivery.Type, delivery.Attempts, outcome);
    }

    /// <summary>The shuffled deliveries join the queue newest first.</summary>
    private void ReleaseShuffled(DateTimeOffset now)
    {
        for (var i = _shuffled.Count - 1; i >= 0; i--)
        {
            _due.Enqueue(_shuffled[i], (now, _order++));
        }
        _shuffled.Clear();
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var delay = _options.WebhookFirstRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 30));
        return delay < _options.WebhookMaxRetryDelay ? delay : _options.WebhookMaxRetryDelay;
    }

    private static TimeSpan Shortest(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>One delivery of an event; its fields change only under the dispatcher's lock.</summary>
    private sealed class Delivery(string eventId, string type, IReadOnlyList<string> skus, string body)
    {
        public string EventId { get; } = eventId;
        public string Type { get; } = type;
        public IReadOnlyList<string> Skus { get; } = skus;
        public string Body { get; } = body;
        public int Attempts { get; set; }
        public string State { get; set; } = DeliveryStates.Queued;
        public int? LastStatus { get; set; }
        public string? LastError { get; set; }
        public bool IsOver => State is DeliveryStates.Delivered or DeliveryStates.Refused or DeliveryStates.Exhausted or DeliveryStates.Disabled;

        public DeliveryLogEntry View() =>
            new(EventId, Type, Skus, Attempts, State == DeliveryStates.Delivered, State, LastStatus, LastError);
    }
}
