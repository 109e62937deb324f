using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Marketplace.Simulators;

/// <summary>An API key presented as <c>Authorization: Bearer &lt;key&gt;</c>, compared in constant time.</summary>
public sealed class BearerKey(string key)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public bool IsPresentedBy(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), _key);
    }
}
