using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Marketplace.AppHost.Infrastructure;

public static class Announcements
{
    /// <summary>
    /// Once every resource with a health check reports Healthy, prints the storefront, console and
    /// gateway addresses and how long start-up took.
    /// </summary>
    public static void AnnounceWhenReady(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> web, IResourceBuilder<ProjectResource> gateway)
    {
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((created, cancellationToken) =>
        {
            var notifications = created.Services.GetRequiredService<ResourceNotificationService>();
            var stopping = created.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var logger = created.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Marketplace");
            var watched = created.Model.Resources.Where(r => r.Annotations.OfType<HealthCheckAnnotation>().Any()).ToList();
            _ = AnnounceAsync(notifications, watched, logger, web, gateway, stopping);
            return Task.CompletedTask;
        });
    }

    private static async Task AnnounceAsync(
        ResourceNotificationService notifications, List<IResource> watched, ILogger logger,
        IResourceBuilder<ProjectResource> web, IResourceBuilder<ProjectResource> gateway, CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(watched.Select(r => notifications.WaitForResourceHealthyAsync(r.Name, stopping)));
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
        logger.LogInformation(
            "Marketplace is up: {Count} resources healthy after {Seconds:F0} s. Storefront: {Storefront}  Merchant console: {Admin}  Gateway: {Gateway}",
            watched.Count, elapsed.TotalSeconds,
            web.GetEndpoint("http").Url, web.GetEndpoint("http").Url + "/admin", gateway.GetEndpoint("http").Url);
    }
}
