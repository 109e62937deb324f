using Marketplace.Simulators;
using Microsoft.Extensions.Options;

namespace Marketplace.Warehouse;

/// <summary>Configuration (<c>Warehouse:*</c>): credentials, webhook target and schedule, and the switches' start values.</summary>
public sealed class WarehouseOptions
{
    public const string Section = "Warehouse";

    /// <summary>The key every <c>/api</c> call must present as a bearer token.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Signs every webhook (<c>Warehouse-Signature</c>); required when <see cref="WebhookUrl"/> is set.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where events are POSTed; without it no webhooks are sent.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Our name for this warehouse system, carried by every webhook.</summary>
    public string System { get; set; } = "northwind";

    /// <summary>How often a snapshot of every SKU is sent; zero turns the schedule off.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries of one event before it is given up (the first plus retries with doubling delays).</summary>
    public int WebhookAttempts { get; set; } = 20;
    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one delivery attempt may take before it counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int LatencyMs { get; set; }
    public bool Outage { get; set; }
    public double ErrorRate { get; set; }
    public bool ErrorAfterApply { get; set; }
    public bool DuplicateDelivery { get; set; }
    public bool OutOfOrder { get; set; }
    public bool WebhooksEnabled { get; set; } = true;

    public WarehouseSettings InitialSettings() =>
        new(LatencyMs, Outage, ErrorRate, ErrorAfterApply, DuplicateDelivery, OutOfOrder, WebhooksEnabled);
}

/// <summary>Every problem with the configuration at once, so a bad start names them all.</summary>
public sealed class WarehouseOptionsValidation : IValidateOptions<WarehouseOptions>
{
    public ValidateOptionsResult Validate(string? name, WarehouseOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add("Warehouse:ApiKey is required (appsettings.Development.json has one for local runs).");
        }
        if (!string.IsNullOrWhiteSpace(options.WebhookUrl))
        {
            if (!Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                failures.Add("Warehouse:WebhookUrl must be an absolute http(s) URL.");
            }
            if (string.IsNullOrWhiteSpace(options.WebhookSecret))
            {
                failures.Add("Warehouse:WebhookSecret is required when Warehouse:WebhookUrl is set.");
            }
        }
        if (string.IsNullOrWhiteSpace(options.System))
        {
            failures.Add("Warehouse:System must name the system.");
        }
        if (options.SnapshotInterval < TimeSpan.Zero)
        {
            failures.Add("Warehouse:SnapshotInterval must be zero (off) or positive.");
        }
        if (options.WebhookAttempts < 1)
        {
            failures.Add("Warehouse:WebhookAttempts must be at least 1.");
        }
        if (options.WebhookFirstRetryDelay <= TimeSpan.Zero || options.WebhookMaxRetryDelay < options.WebhookFirstRetryDelay)
        {
            failures.Add("Warehouse:WebhookFirstRetryDelay must be positive and no longer than Warehouse:WebhookMaxRetryDelay.");
        }
        if (options.WebhookTimeout <= TimeSpan.Zero)
        {
            failures.Add("Warehouse:WebhookTimeout must be positive.");
        }
        failures.AddRange(WarehouseSwitches.Validate(options.InitialSettings().AsUpdate()).Select(e => $"Warehouse:{e.Key}: {e.Value[0]}"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The behaviour switches a test or a developer flips at runtime through <c>/sim/settings</c>.</summary>
/// <param name="LatencyMs">Added before every <c>/api</c> answer.</param>
/// <param name="Outage">While on, every <c>/api</c> call answers 503 and changes nothing, and no webhook is delivered (they wait).</param>
/// <param name="ErrorRate">The share of <c>/api</c> calls answered 500, 0 to 1.</param>
/// <param name="ErrorAfterApply">Whether such a call makes its change before the 500 (as a timeout after the commit would).</param>
/// <param name="DuplicateDelivery">Every webhook raised meanwhile is delivered twice, with the same event id.</param>
/// <param name="OutOfOrder">Webhooks are held for about a second (or until ten wait) and then sent newest first.</param>
/// <param name="WebhooksEnabled">Off: events raised meanwhile are not sent at all (recorded as disabled).</param>
public sealed record WarehouseSettings(
    int LatencyMs, bool Outage, double ErrorRate, bool ErrorAfterApply, bool DuplicateDelivery, bool OutOfOrder, bool WebhooksEnabled)
{
    public WarehouseSettingsUpdate AsUpdate() =>
        new(LatencyMs, Outage, ErrorRate, ErrorAfterApply, DuplicateDelivery, OutOfOrder, WebhooksEnabled);
}

/// <summary>A change of switches: a field left null stays as it is.</summary>
public sealed record WarehouseSettingsUpdate(
    int? LatencyMs, bool? Outage, double? ErrorRate, bool? ErrorAfterApply, bool? DuplicateDelivery, bool? OutOfOrder, bool? WebhooksEnabled);

public sealed class WarehouseSwitches(WarehouseSettings initial) : Switchboard<WarehouseSettings>(initial)
{
    public static Dictionary<string, string[]> Validate(WarehouseSettingsUpdate update)
    {
        var errors = new Dictionary<string, string[]>();
        if (update.LatencyMs is < 0 or > 120_000)
        {
            errors["latencyMs"] = ["Must be between 0 and 120000."];
        }
        if (update.ErrorRate is { } rate && (double.IsNaN(rate) || rate is < 0 or > 1))
        {
            errors["errorRate"] = ["Must be between 0 and 1."];
        }
        return errors;
    }

    public WarehouseSettings Apply(WarehouseSettingsUpdate update) => Change(current => new WarehouseSettings(
        update.LatencyMs ?? current.LatencyMs,
        update.Outage ?? current.Outage,
        update.ErrorRate ?? current.ErrorRate,
        update.ErrorAfterApply ?? current.ErrorAfterApply,
        update.DuplicateDelivery ?? current.DuplicateDelivery,
        update.OutOfOrder ?? current.OutOfOrder,
        update.WebhooksEnabled ?? current.WebhooksEnabled));
}
