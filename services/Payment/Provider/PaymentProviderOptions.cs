namespace Marketplace.Payment.Provider;

/// <summary>Configuration <c>PaymentProvider:*</c>: where the provider is, our credentials, and how long a call may take.</summary>
public sealed class PaymentProviderOptions
{
    public const string Section = "PaymentProvider";

    /// <summary>Resolved by service discovery when it names a resource (<c>http://payment-provider</c>).</summary>
    public Uri BaseUrl { get; set; } = new("http://payment-provider");

    public string ApiKey { get; set; } = "";

    /// <summary>The secret the provider signs its webhooks with.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>How old (or how far ahead) a webhook's signed timestamp may be.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One call including its retries; kept well under the processor's lease so a slow call never outlives it.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
