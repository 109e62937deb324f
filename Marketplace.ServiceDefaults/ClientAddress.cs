using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
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

    internal static void AddClientAddress(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClientAddressOptions>().BindConfiguration(ClientAddressOptions.Section);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ClientAddressOptions>>((forwarded, client) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.ForwardLimit = 1;
            // The defaults trust loopback: here every process is on loopback, so that would trust everyone.
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var entry in client.Value.TrustedProxies.Where(e => !string.IsNullOrWhiteSpace(e)))
            {
                if (entry.Contains('/', StringComparison.Ordinal))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry.Trim()));
                }
                else
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(entry.Trim()));
                }
            }
        });
    }

    /// <summary>Reads the client's address from a trusted proxy, then strips what only our hops may say.</summary>
    public static IApplicationBuilder UseClientAddress(this IApplicationBuilder app)
    {
        app.UseForwardedHeaders();
        var key = app.ApplicationServices.GetRequiredService<IOptions<ClientAddressOptions>>().Value.ProxyKey;
        var keyBytes = string.IsNullOrEmpty(key) ? null : Encoding.UTF8.GetBytes(key);
        return app.Use((context, next) =>
        {
            var headers = context.Request.Headers;
            if (keyBytes is not null && headers.TryGetValue(ProxyKeyHeader, out var presented) && presented.Count == 1
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented[0] ?? ""), keyBytes)
                && headers.TryGetValue(VisitorHeader, out var visitor) && visitor.Count == 1
                && IPAddress.TryParse(visitor[0], out var address))
            {
                context.Connection.RemoteIpAddress = address;
                // Our hop (the gateway) also says which public origin the client used, e.g. for Identity's redirects.
                if (headers["X-Forwarded-Proto"] is [var proto] && proto is "http" or "https")
                {
                    context.Request.Scheme = proto;
                }
                if (headers["X-Forwarded-Host"] is [var host] && HostString.FromUriComponent(host!) is { HasValue: true } publicHost)
                {
                    context.Request.Host = publicHost;
                }
            }
            headers.Remove(ProxyKeyHeader);
            headers.Remove(VisitorHeader);
            return next(context);
        });
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
