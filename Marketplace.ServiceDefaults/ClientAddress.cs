using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Who may tell a service the address of the client behind it (<c>ClientAddress</c> in configuration).</summary>
public sealed class ClientAddressOptions
{
    public const string Section = "ClientAddress";

    /// <summary>
    /// The shared key our own hops (web → gateway → services) prove themselves with when they pass the client's
    /// address on in <see cref="ClientAddress.VisitorHeader"/>. Without it no hop is believed.
    /// </summary>
    public string? ProxyKey { get; set; }

    /// <summary>
    /// Addresses or networks (CIDR, e.g. <c>10.0.0.0/8</c>) of the ingress or load balancer in front of the
    /// public endpoints, whose <c>X-Forwarded-For</c> is believed. Empty: nobody's is.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>
/// The address of the client a request is made for, as rate limits and sign-in throttling must see it: the
/// connection's peer unless that peer is a trusted proxy. Two kinds are trusted, and no one else:
/// an ingress or load balancer listed in <see cref="ClientAddressOptions.TrustedProxies"/> (its last
/// <c>X-Forwarded-For</c> entry), and our own hops, which send the address in <see cref="VisitorHeader"/> together
/// with the shared <see cref="ClientAddressOptions.ProxyKey"/> in <see cref="ProxyKeyHeader"/>. Both headers are
/// removed from every request once read, so a client can neither spoof them nor learn the key downstream. A hop
/// proven by the key is also believed about the public origin (<c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c>).
/// </summary>
public static class ClientAddress
{
    public const string VisitorHeader = "X-Marketplace-Client-Address";
    public const string ProxyKeyHeader = "X-Marketplace-Proxy-Key";

    internal static void AddClientAddress(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<ClientAddressOptions>().BindConfiguration(ClientAddressOptions.Section);

    /// <summary>Reads the client's address from a trusted proxy, then strips what only our hops may say.</summary>
    public static IApplicationBuilder UseClientAddress(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ClientAddressOptions>>().Value;
        var proxies = options.TrustedProxies.Where(e => !string.IsNullOrWhiteSpace(e))
            .Select(e => e.Contains('/', StringComparison.Ordinal) ? IPNetwork.Parse(e.Trim()) : new IPNetwork(IPAddress.Parse(e.Trim()), e.Contains(':', StringComparison.Ordinal) ? 128 : 32))
            .ToList();
        var keyBytes = string.IsNullOrEmpty(options.ProxyKey) ? null : Encoding.UTF8.GetBytes(options.ProxyKey);
        return app.Use((context, next) =>
        {
            var headers = context.Request.Headers;
            if (context.Connection.RemoteIpAddress is { } peer && proxies.Any(p => p.Contains(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer))
                && headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is [.., var last]
                && IPAddress.TryParse(last, out var forwarded))
            {
                // The entry our proxy appended; anything before it came from the client and proves nothing.
                context.Connection.RemoteIpAddress = forwarded;
                BelieveOrigin(context);
            }
            else if (keyBytes is not null && headers.TryGetValue(ProxyKeyHeader, out var presented) && presented.Count == 1
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented[0] ?? ""), keyBytes)
                && headers.TryGetValue(VisitorHeader, out var visitor) && visitor.Count == 1
                && IPAddress.TryParse(visitor[0], out var address))
            {
                context.Connection.RemoteIpAddress = address;
                BelieveOrigin(context);
            }
            headers.Remove(ProxyKeyHeader);
            headers.Remove(VisitorHeader);
            return next(context);
        });
    }

    /// <summary>A believed hop also says which public origin the client used, e.g. for Identity's redirects.</summary>
    private static void BelieveOrigin(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers["X-Forwarded-Proto"] is [var proto] && proto is "http" or "https")
        {
            context.Request.Scheme = proto;
        }
        if (headers["X-Forwarded-Host"] is [var host] && HostString.FromUriComponent(host!) is { HasValue: true } publicHost)
        {
            context.Request.Host = publicHost;
        }
    }

    /// <summary>The headers one of our hops adds to a request it makes for <paramref name="client"/>.</summary>
    public static void Forward(HttpRequestMessage request, IPAddress? client, string? proxyKey)
    {
        if (client is null || string.IsNullOrEmpty(proxyKey))
        {
            return;
        }
        request.Headers.Remove(VisitorHeader);
        request.Headers.Remove(ProxyKeyHeader);
        request.Headers.TryAddWithoutValidation(VisitorHeader, client.ToString());
        request.Headers.TryAddWithoutValidation(ProxyKeyHeader, proxyKey);
    }
}
