using System.Text;
using Marketplace.Shared.Webhooks;
using Microsoft.Extensions.Options;

namespace Marketplace.Payment.Provider;

/// <summary>
/// Checks <c>Provider-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>: the MAC
/// with our webhook secret (compared in constant time) and the timestamp within the tolerance, so a
/// captured webhook cannot be replayed later.
/// </summary>
public sealed class WebhookSignature(IOptions<PaymentProviderOptions> options, TimeProvider clock)
{
    public const string HeaderName = "Provider-Signature";

    public bool IsAuthentic(string? header, string body) =>
        HmacWebhookSignature.Verify(options.Value.WebhookSecret, header, Encoding.UTF8.GetBytes(body), clock.GetUtcNow(), options.Value.WebhookTolerance, HeaderName) is null;
}
