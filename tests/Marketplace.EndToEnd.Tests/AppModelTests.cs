using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Marketplace.EndToEnd.Tests;

/// <summary>The app model in each infrastructure mode, inspected without starting anything.</summary>
public sealed class AppModelTests
{
    private static async Task<IReadOnlyList<IResource>> ResourcesAsync(string mode)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Marketplace_AppHost>(
            ["--infra", mode, "--Marketplace:DataDir=" + Path.Combine(Path.GetTempPath(), "marketplace-model-" + Guid.NewGuid().ToString("N"))],
            TestContext.Current.CancellationToken);
        return builder.Resources.ToList();
    }

    [Fact]
    public async Task Host_mode_declares_no_container_so_nothing_waits_for_a_runtime()
    {
        var resources = await ResourcesAsync("host");

        Assert.DoesNotContain(resources, r => r is ContainerResource || r.Annotations.OfType<ContainerImageAnnotation>().Any());
        Assert.Contains(resources, r => r.Name == "postgres" && r is ExecutableResource);
        Assert.Contains(resources, r => r.Name == "rabbitmq" && r is ExecutableResource);
        Assert.Contains(resources, r => r.Name == "redis" && r is ExecutableResource);
        Assert.Contains(resources, r => r.Name == "smtp" && r is ExecutableResource);
        Assert.DoesNotContain(resources, r => r.Name is "mongo" or "elasticsearch");
    }

    [Fact]
    public async Task Containers_mode_runs_every_store_in_a_container()
    {
        var resources = await ResourcesAsync("containers");

        foreach (var name in new[] { "postgres", "redis", "rabbitmq", "smtp", "mongo", "elasticsearch" })
        {
            var resource = Assert.Single(resources, r => r.Name == name);
            Assert.True(resource is ContainerResource, $"{name} should be a container");
        }
        // Aspire adds a rebuilder executable per project; besides those, nothing runs on the host.
        Assert.DoesNotContain(resources, r => r is ExecutableResource && !(r is IResourceWithParent { Parent: ProjectResource }));
    }

    [Theory]
    [InlineData("host")]
    [InlineData("containers")]
    public async Task Both_modes_declare_every_service_with_a_health_check(string mode)
    {
        var resources = await ResourcesAsync(mode);

        foreach (var name in MarketplaceAppFixture.Services)
        {
            var project = Assert.IsType<ProjectResource>(Assert.Single(resources, r => r.Name == name), exactMatch: false);
            Assert.True(project.Annotations.OfType<HealthCheckAnnotation>().Any(), $"{name} has no health check");
        }
        foreach (var database in new[] { "identitydb", "usersdb", "catalogdb", "inventorydb", "orderingdb", "paymentdb", "notificationdb" })
        {
            Assert.Contains(resources, r => r.Name == database && r is IResourceWithConnectionString);
        }
    }

    [Fact]
    public void Missing_host_binaries_stop_the_app_host_at_once_naming_the_packages()
    {
        var error = Assert.Throws<DistributedApplicationException>(() =>
            Marketplace.AppHost.Infrastructure.HostPrerequisites.EnsureInstalled(
            [
                ("postgresql", () => true),
                ("redis-server", () => false),
                ("rabbitmq-server", () => false),
            ]));

        Assert.Contains("apt-get install redis-server rabbitmq-server", error.Message);
        Assert.Contains("--infra containers", error.Message);
        Assert.DoesNotContain("postgresql", error.Message);
    }
}
