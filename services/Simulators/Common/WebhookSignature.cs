using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Marketplace.Simulators;

/// <summary>
/// The signature scheme of the simulated third parties' webhooks (Stripe's):
/// <c>t=&lt;unix seconds&gt;,v1=&lt;lowercase hex HMAC-SHA256(secret, "t.body")&gt;</c>, under each party's own header name.
/// </summary>
public static class WebhookSignature
{
    public static string Sign(string secret, long timestamp, string body)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
