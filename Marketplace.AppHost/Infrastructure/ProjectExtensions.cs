using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Marketplace.AppHost.Infrastructure;

public static class ProjectExtensions
{
    /// <summary>
    /// A service project on an Aspire-allocated HTTP port, in the AppHost's environment, reported
    /// Healthy only when its own <c>/health</c> (every dependency) says so; published, with readiness and liveness probes.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddMarketplaceProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var project = builder.AddProject<TProject>(name, options => options.ExcludeLaunchProfile = true)
            // Run locally, each service listens on its own allocated port with no DCP proxy in front: a proxy is one more
            // hop and one more process's CPU on every call between services. Replicas need one (WithReplicasFrom).
            .WithHttpEndpoint(isProxied: false)
            // Published from a developer's machine (whose launch profile says Development), a manifest still deploys Production.
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.ExecutionContext.IsPublishMode && builder.Environment.IsDevelopment()
                ? Environments.Production
                : builder.Environment.EnvironmentName);
        if (builder.ExecutionContext.IsPublishMode)
        {
            // Deployed, the platform asks the same endpoints: ready when every dependency answers, alive while the
            // process serves (a restart does not help a database outage). A readiness probe is also the resource's
            // health check, as WithHttpHealthCheck is when run locally.
#pragma warning disable ASPIREPROBES001 // probes are evaluation APIs in Aspire 13; the manifest carries them to azd and Kubernetes
            project.WithHttpProbe(ProbeType.Readiness, "/health", periodSeconds: 10, failureThreshold: 3)
                .WithHttpProbe(ProbeType.Liveness, "/alive", initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3);
#pragma warning restore ASPIREPROBES001
        }
        else
        {
            project.WithHttpHealthCheck("/health");
            // Run locally, a dozen .NET processes share a few cores: a thread pool spinning while it waits for
            // work (the default) then burns the CPU the others need (a quarter of Ordering's under load here),
            // and a server GC per process multiplies heaps and GC threads. A deployment gives each service
            // its own cores and keeps the defaults.
            project.WithEnvironment("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0")
                .WithEnvironment("DOTNET_gcServer", "0");
            if (builder.Configuration["DEBUG_SESSION_PORT"] is null)
            {
                StartBuiltExecutable(project, new TProject());
            }
        }
        return project;
    }

    /// <summary>
    /// Run locally outside an IDE, DCP starts the project's built executable itself instead of through <c>dotnet run</c>:
    /// the AppHost's build has already built every service (so <c>dotnet run --no-build</c> only looked the project up
    /// again), and each <c>dotnet run</c> stayed alive beside its service as a ~64 MiB parent process, a dozen of them
    /// in all. With an <see cref="ExecutableAnnotation"/> on a project, Aspire runs that command with the project's
    /// environment, endpoints and replicas unchanged. When the executable is not where the build puts it (another
    /// output layout), the project is started the usual way.
    /// </summary>
    private static void StartBuiltExecutable(IResourceBuilder<ProjectResource> project, IProjectMetadata metadata)
    {
        var directory = Path.GetDirectoryName(metadata.ProjectPath)!;
        var configuration = typeof(ProjectExtensions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var name = Path.GetFileNameWithoutExtension(metadata.ProjectPath);
        var executable = Path.Combine(directory, "bin", configuration, $"net{Environment.Version.Major}.{Environment.Version.Minor}",
            OperatingSystem.IsWindows() ? name + ".exe" : name);
        if (File.Exists(executable))
        {
            project.WithAnnotation(new ExecutableAnnotation { Command = executable, WorkingDirectory = directory }, ResourceAnnotationMutationBehavior.Replace);
        }
    }
}

public static class TelemetryExport
{
    /// <summary>
    /// Without a dashboard (tests, benchmarks) nothing receives OpenTelemetry data: the services are told of
    /// no OTLP endpoint, so they export nothing instead of retrying exports that can only fail.
    /// </summary>
    public static void WithoutTelemetryExport(IEnumerable<IResource> resources)
    {
        foreach (var project in resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                foreach (var key in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_EXPORTER_OTLP", StringComparison.Ordinal)).ToList())
                {
                    context.EnvironmentVariables.Remove(key);
                }
            }));
        }
    }
}

public static class ConfigurationForwarding
{
    /// <summary>
    /// Passes every AppHost setting under <paramref name="section"/> (e.g. <c>--Ordering:PaymentTimeout=00:00:08</c>)
    /// to the service as its own configuration, so tests and operators tune a service from the app model.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettingsFrom(this IResourceBuilder<ProjectResource> service, string section)
    {
        foreach (var (key, value) in service.ApplicationBuilder.Configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return service;
    }

    /// <summary>
    /// A fixed public port from configuration (<c>{section}:Port</c>), for addresses that must outlive a run (bookmarks,
    /// or the issuer of tokens a benchmark keeps between runs); otherwise Aspire picks one.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPortFrom(this IResourceBuilder<ProjectResource> service, string section) =>
        int.TryParse(service.ApplicationBuilder.Configuration[$"{section}:Port"], out var port) && port is > 0 and < 65536
            ? service.WithEndpoint("http", endpoint => endpoint.Port = port)
            : service;

    /// <summary>
    /// Runs <c>{section}:Replicas</c> instances of the service when that says more than one (e.g.
    /// <c>--Ordering:Replicas=2</c>): every service is stateless between requests, so replicas share its database and queues.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReplicasFrom(this IResourceBuilder<ProjectResource> service, string section) =>
        int.TryParse(service.ApplicationBuilder.Configuration[$"{section}:Replicas"], out var replicas) && replicas > 1
            ? service.WithEndpoint("http", endpoint => endpoint.IsProxied = true).WithReplicas(replicas)
            : service;
}
