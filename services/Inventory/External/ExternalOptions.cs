using Marketplace.Inventory.Stock;
using Microsoft.Extensions.Options;

namespace Marketplace.Inventory.External;

/// <summary>
/// The external warehouse/ERP systems Inventory exchanges stock with (<c>Inventory:External:Systems:{code}</c>).
/// Each keeps the physical stock of one warehouse of ours.
/// </summary>
public sealed class ExternalOptions
{
    public const string Section = "Inventory:External";

    public Dictionary<string, ExternalSystemOptions> Systems { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ExternalSystemOptions
{
    /// <summary>The system's API (service discovery names work: <c>http://warehouse</c>).</summary>
    public string BaseUrl { get; set; } = "";
    public string ApiKey { get; set; } = "";
    /// <summary>The shared secret its webhooks are signed with (HMAC-SHA256).</summary>
    public string WebhookSecret { get; set; } = "";
    /// <summary>Our warehouse whose stock the system keeps.</summary>
    public string Warehouse { get; set; } = "";
    public string WarehouseName { get; set; } = "";
    /// <summary>A webhook signed longer ago than this (or this far in the future) is refused as a replay.</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How often the CSV feed is read (zero: never; webhooks and reconciliation only).</summary>
    public TimeSpan CsvPollInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often both stock books are compared (zero: only when an admin asks).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How often the outbound relay looks for changes nobody woke it for (another replica's, retries).</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>First retry delay of a failed delivery; it doubles up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>One call's limit; a call that takes longer counts as failed (and may still have been applied).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>The breaker opens when this share of calls failed within <see cref="BreakerSamplingDuration"/>…</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;
    /// <summary>…and at least this many were made.</summary>
    public int BreakerMinimumThroughput { get; set; } = 3;
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long an open breaker refuses calls before it lets one through to test the system.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The configured systems, and which warehouse of ours each keeps.</summary>
public sealed class ExternalDirectory(IOptions<ExternalOptions> options) : IExternalWarehouses
{
    private readonly Dictionary<string, ExternalSystemOptions> _systems = options.Value.Systems;
    private readonly Dictionary<string, string> _byWarehouse = options.Value.Systems
        .ToDictionary(s => s.Value.Warehouse, s => s.Key, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Systems => _systems.Keys;

    public ExternalSystemOptions? Find(string system) => _systems.GetValueOrDefault(system);

    /// <summary>The system keeping <paramref name="warehouse"/>, or null for a warehouse of our own.</summary>
    public string? SystemOf(string warehouse) => _byWarehouse.GetValueOrDefault(warehouse);

    public static void Validate(OptionsBuilder<ExternalOptions> builder) => builder
        .Validate(o => o.Systems.All(s => s.Key.Length is > 0 and <= 32 && s.Key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')),
            "Inventory:External:Systems keys are codes of lower-case letters, digits and '-' (at most 32).")
        .Validate(o => o.Systems.Values.All(s => Uri.TryCreate(s.BaseUrl, UriKind.Absolute, out _)), "Every external system needs an absolute BaseUrl.")
        .Validate(o => o.Systems.Values.All(s => !string.IsNullOrWhiteSpace(s.ApiKey) && !string.IsNullOrWhiteSpace(s.WebhookSecret)),
            "Every external system needs an ApiKey and a WebhookSecret: the AppHost provides them.")
        .Validate(o => o.Systems.Values.All(s => s.Warehouse.Length is > 0 and <= 32 && s.Warehouse != Domain.Warehouse.Main),
            "Every external system keeps a warehouse of its own (not 'main'), named in at most 32 characters.")
        .Validate(o => o.Systems.Values.Select(s => s.Warehouse).Distinct().Count() == o.Systems.Count, "Two external systems cannot keep the same warehouse.")
        .Validate(o => o.Systems.Values.All(s => s.BreakerFailureRatio is > 0 and <= 1 && s.BreakerMinimumThroughput >= 2 && s.BreakDuration >= TimeSpan.FromMilliseconds(500)),
            "Breaker settings: a failure ratio in (0, 1], a minimum throughput of 2 or more, a break of at least 0.5 s.")
        .ValidateOnStart();
}
