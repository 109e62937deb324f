using Marketplace.Simulators;

namespace Marketplace.PaymentProvider;

/// <summary>Configuration (<c>PaymentProvider:*</c>): credentials, webhook target and the switches' start values.</summary>
public sealed class ProviderOptions
{
    public const string Section = "PaymentProvider";

    /// <summary>The secret key every <c>/v1</c> call must present as a bearer token.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Where events are POSTed; without it no webhooks are sent.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The event types the webhook endpoint is subscribed to (Stripe's "enabled events"); none listed means all.</summary>
    public string[] WebhookEvents { get; set; } = [];

    /// <summary>Signs every webhook (<c>Provider-Signature</c>); required when <see cref="WebhookUrl"/> is set.</summary>
    public string? WebhookSecret { get; set; }

    public int LatencyMs { get; set; } = 20;
    public double DeclineRate { get; set; }
    public double AsyncRate { get; set; }
    public int AsyncDelayMs { get; set; } = 2000;

    /// <summary>Deliveries of one event before it is given up (the first plus retries with doubling delays).</summary>
    public int WebhookAttempts { get; set; } = 6;
    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>The behaviour switches a test or load run flips at runtime through <c>/sim/settings</c>.</summary>
public sealed record SimulatorSettings(int LatencyMs, double DeclineRate, double AsyncRate, int AsyncDelayMs, bool Outage);

/// <param name="LatencyMs">Added before every <c>/v1</c> answer.</param>
/// <param name="DeclineRate">The share of ordinary cards declined, 0 to 1.</param>
/// <param name="AsyncRate">The share of ordinary cards authorized asynchronously (status processing, then a webhook), 0 to 1.</param>
/// <param name="AsyncDelayMs">How long an asynchronous authorization takes to resolve.</param>
/// <param name="Outage">While on, every <c>/v1</c> call answers 503 and changes nothing.</param>
public sealed record SimulatorSettingsUpdate(int? LatencyMs, double? DeclineRate, double? AsyncRate, int? AsyncDelayMs, bool? Outage);

/// <summary>The provider's current switches.</summary>
public sealed class SimulatorSwitches(SimulatorSettings initial) : Switchboard<SimulatorSettings>(initial)
{
    public Dictionary<string, string[]> Validate(SimulatorSettingsUpdate update)
    {
        var errors = new Dictionary<string, string[]>();
        if (update.LatencyMs is < 0 or > 120_000)
        {
            errors["latencyMs"] = ["Must be between 0 and 120000."];
        }
        if (update.AsyncDelayMs is < 0 or > 600_000)
        {
            errors["asyncDelayMs"] = ["Must be between 0 and 600000."];
        }
        if (update.DeclineRate is { } decline && (double.IsNaN(decline) || decline is < 0 or > 1))
        {
            errors["declineRate"] = ["Must be between 0 and 1."];
        }
        if (update.AsyncRate is { } async && (double.IsNaN(async) || async is < 0 or > 1))
        {
            errors["asyncRate"] = ["Must be between 0 and 1."];
        }
        return errors;
    }

    public SimulatorSettings Apply(SimulatorSettingsUpdate update) => Change(current => new SimulatorSettings(
        update.LatencyMs ?? current.LatencyMs,
        update.DeclineRate ?? current.DeclineRate,
        update.AsyncRate ?? current.AsyncRate,
        update.AsyncDelayMs ?? current.AsyncDelayMs,
        update.Outage ?? current.Outage));
}
