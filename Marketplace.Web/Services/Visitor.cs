using System.Net;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Services;

/// <summary>
/// The visitor a request or circuit acts for, as the gateway must see them: every storefront call to the gateway
/// comes from this server's address, so without it all anonymous visitors would share one rate-limit bucket. The
/// address is read from the page request (<see cref="Components.App"/> hands it to the circuit as a protected
/// parameter) and sent with the shared proxy key, which is the only way the gateway believes it.
/// </summary>
public sealed class Visitor(IOptions<ClientAddressOptions> options)
{
    public IPAddress? Address { get; set; }

    public void Stamp(HttpRequestMessage request) => ClientAddress.Forward(request, Address, options.Value.ProxyKey);
}
