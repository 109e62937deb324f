using System.Diagnostics;
using System.Text.Json.Nodes;
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

    /// <summary>Runs the AppHost's manifest publisher as ops would (launch profile included) and reads what it wrote.</summary>
    private static async Task<JsonObject> PublishAsync(params string[] extra)
    {
        var output = Path.Combine(Path.GetTempPath(), "marketplace-manifest-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", ["run", "--no-build", "--project", Projects.Marketplace_AppHost.ProjectPath, "--",
            "--operation", "publish", "--publisher", "manifest", "--output-path", output, .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"publishing failed ({process.ExitCode}): {await log} {await errors}");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "aspire-manifest.json"), TestContext.Current.CancellationToken))!.AsObject();
        Directory.Delete(output, recursive: true);
        return manifest["resources"]!.AsObject();
    }

    private static string TypeOf(JsonNode resource) => resource["type"]!.GetValue<string>();

    /// <summary>Our services, without the simulators (a published manifest leaves them out unless asked).</summary>
    private static IEnumerable<string> Deployed => MarketplaceAppFixture.Services.Except(["payment-provider", "warehouse"]);

    [Fact]
    public async Task A_published_manifest_is_the_cloud_app_model_whatever_runs_locally()
    {
        // Asked for host mode on a machine without Docker, publishing still writes the containers model.
        var resources = await PublishAsync("--infra", "host");

        Assert.DoesNotContain(resources, r => TypeOf(r.Value!).StartsWith("executable", StringComparison.Ordinal));
        foreach (var name in new[] { "postgres", "redis", "rabbitmq", "smtp", "mongo", "elasticsearch" })
        {
            Assert.StartsWith("container.", TypeOf(resources[name]!), StringComparison.Ordinal);
        }
        // The third parties are the real ones, found through parameters; the simulators stay home.
        Assert.DoesNotContain("payment-provider", resources.Select(r => r.Key));
        Assert.DoesNotContain("warehouse", resources.Select(r => r.Key));
        Assert.Equal("parameter.v0", TypeOf(resources["payment-provider-url"]!));
        Assert.Equal("parameter.v0", TypeOf(resources["warehouse-url"]!));
        Assert.Contains("{payment-provider-url.value}", resources["payment"]!["env"]!["PaymentProvider__BaseUrl"]!.GetValue<string>());
        Assert.Contains("{warehouse-url.value}", resources["inventory"]!["env"]!["Inventory__External__Systems__northwind__BaseUrl"]!.GetValue<string>());

        // Every password, key and secret is a secret parameter.
        var secrets = resources.Where(r => TypeOf(r.Value!) == "parameter.v0" && r.Key.Split('-').Any(w => w is "password" or "secret" or "key")).ToList();
        Assert.True(secrets.Count >= 12, $"only {secrets.Count} secret parameters");
        Assert.All(secrets, r => Assert.True(r.Value!["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true, $"{r.Key} is not a secret parameter"));

        // Only the edge is reachable from outside, and no service runs as Development.
        var external = resources.Where(r => r.Value!["bindings"]?.AsObject().Any(b => b.Value!["external"]?.GetValue<bool>() == true) == true).Select(r => r.Key);
        Assert.Equal(["gateway", "web"], external.Order());
        foreach (var name in Deployed)
        {
            var service = resources[name]!;
            Assert.Equal("Production", service["env"]!["ASPNETCORE_ENVIRONMENT"]!.GetValue<string>());
            Assert.Null(service["env"]!["Catalog__SeedProducts"]);
        }
    }

    [Fact]
    public async Task Published_services_declare_readiness_and_liveness_probes()
    {
        // The v0 manifest has no field for probes: they live in the app model, where azd's Container Apps and the
        // Kubernetes publisher read them. So the model is inspected in publish mode.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Marketplace_AppHost>(
            ["--operation", "publish", "--publisher", "manifest", "--output-path", Path.Combine(Path.GetTempPath(), "marketplace-model-" + Guid.NewGuid().ToString("N"))],
            TestContext.Current.CancellationToken);
        Assert.True(builder.ExecutionContext.IsPublishMode);

        foreach (var name in Deployed)
        {
            var project = Assert.Single(builder.Resources, r => r.Name == name);
#pragma warning disable ASPIREPROBES001 // Aspire's probe annotations are evaluation APIs
            var probes = project.Annotations.OfType<EndpointProbeAnnotation>().Select(p => (p.Type, p.Path)).ToList();
            Assert.Contains((ProbeType.Readiness, "/health"), probes);
            Assert.Contains((ProbeType.Liveness, "/alive"), probes);
#pragma warning restore ASPIREPROBES001
        }
    }

    [Fact]
    public async Task With_simulators_the_manifest_deploys_them_too()
    {
        var resources = await PublishAsync("--with-simulators");

        Assert.Equal("project.v0", TypeOf(resources["payment-provider"]!));
        Assert.Equal("project.v0", TypeOf(resources["warehouse"]!));
        Assert.DoesNotContain("payment-provider-url", resources.Select(r => r.Key));
        Assert.DoesNotContain(resources, r => TypeOf(r.Value!).StartsWith("executable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_deployable_project_builds_a_chiselled_non_root_image_of_its_own()
    {
        string[] projects =
        [
            new Projects.Marketplace_Identity().ProjectPath, new Projects.Marketplace_Users().ProjectPath, new Projects.Marketplace_Catalog().ProjectPath,
            new Projects.Marketplace_Inventory().ProjectPath, new Projects.Marketplace_Ordering().ProjectPath, new Projects.Marketplace_Payment().ProjectPath,
            new Projects.Marketplace_Search().ProjectPath, new Projects.Marketplace_Notification().ProjectPath, new Projects.Marketplace_Gateway().ProjectPath,
            new Projects.Marketplace_Web().ProjectPath, new Projects.Marketplace_PaymentProvider().ProjectPath, new Projects.Marketplace_Warehouse().ProjectPath,
        ];
        // What `dotnet publish /t:PublishContainer` would build, computed without pulling the base image.
        var configs = await Task.WhenAll(projects.Select(async path =>
        {
            var start = new ProcessStartInfo("dotnet", ["msbuild", path, "-t:ComputeContainerConfig", "-p:Configuration=Release", "-nologo",
                "-getProperty:ContainerBaseImage", "-getProperty:ContainerRepository", "-getProperty:ContainerUser", "-getItem:ContainerPort"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"{path}: {output}");
            return (Path: path, Config: JsonNode.Parse(output)!);
        }));

        foreach (var (path, config) in configs)
        {
            var service = Path.GetFileNameWithoutExtension(path).Replace("Marketplace.", "", StringComparison.Ordinal).ToLowerInvariant();
            Assert.Equal($"marketplace/{service}", config["Properties"]!["ContainerRepository"]!.GetValue<string>());
            Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra", config["Properties"]!["ContainerBaseImage"]!.GetValue<string>());
            Assert.Equal("app", config["Properties"]!["ContainerUser"]!.GetValue<string>());
            Assert.Equal("8080", Assert.Single(config["Items"]!["ContainerPort"]!.AsArray())!["Identity"]!.GetValue<string>());
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
