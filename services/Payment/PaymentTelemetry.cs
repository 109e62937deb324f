using System.Diagnostics;
using System.Diagnostics.Metrics;
using Marketplace.Shared.Contracts;

namespace Marketplace.Payment;

/// <summary>Traces and counters of the Payment service (ServiceDefaults exports every <c>Marketplace.*</c> source and meter).</summary>
public static class PaymentTelemetry
{
    public const string Name = "Marketplace.Payment";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Authorizations = Meter.CreateCounter<long>("marketplace.payment.authorizations");
    private static readonly Counter<long> Declines = Meter.CreateCounter<long>("marketplace.payment.declines");
    private static readonly Counter<long> Captures = Meter.CreateCounter<long>("marketplace.payment.captures");
    private static readonly Counter<long> Voids = Meter.CreateCounter<long>("marketplace.payment.voids");
    private static readonly Counter<long> Refunds = Meter.CreateCounter<long>("marketplace.payment.refunds");
    public static readonly Counter<long> ProviderFailures = Meter.CreateCounter<long>("marketplace.payment.provider_failures");
    public static readonly Counter<long> RejectedWebhooks = Meter.CreateCounter<long>("marketplace.payment.webhooks_rejected");

    /// <summary>Counts the outcomes a committed change announced.</summary>
    public static void Count(IEnumerable<IIntegrationEvent> committed)
    {
        foreach (var evt in committed)
        {
            var counter = evt switch
            {
                PaymentAuthorized => Authorizations,
                PaymentDeclined => Declines,
                PaymentCaptured => Captures,
                PaymentVoided => Voids,
                PaymentRefunded => Refunds,
                _ => null,
            };
            counter?.Add(1);
        }
    }
}
