using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Marketplace.AppHost.Infrastructure;

public static class Announcements
{
    /// <summary>Prints the storefront and gateway addresses, and the start-up time, once the storefront is healthy.</summary>
    public static void AnnounceWhenReady(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> web, IResourceBuilder<ProjectResource> gateway)
    {
        builder.Eventing.Subscribe<ResourceReadyEvent>(web.Resource, (ready, _) =>
        {
            var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
            var logger = ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Marketplace");
            logger.LogInformation(
                "Marketplace is up after {Seconds:F0} s. Storefront: {Storefront}  Merchant console: {Admin}  Gateway: {Gateway}",
                elapsed.TotalSeconds,
                web.GetEndpoint("http").Url,
                web.GetEndpoint("http").Url + "/admin",
                gateway.GetEndpoint("http").Url);
            return Task.CompletedTask;
        });
    }
}
