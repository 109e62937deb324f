namespace Marketplace.Payment.Processing;

/// <summary>Configuration <c>Payment:Processor:*</c>.</summary>
public sealed class PaymentProcessorOptions
{
    public const string Section = "Payment:Processor";

    /// <summary>Off, the service still records what consumers ask but calls no provider (tests drive passes themselves).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rows claimed per pass.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Provider calls in flight at once in this process.</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>How often to look for due rows when nothing in this process signalled a change.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a claimed row is this replica's; longer than any provider call (PaymentProvider:TotalTimeout).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An asynchronous authorization with no webhook by then is looked up at the provider.</summary>
    public TimeSpan ProcessingRecheck { get; set; } = TimeSpan.FromSeconds(5);
}
