using Microsoft.Extensions.Configuration;

namespace Marketplace.AppHost.Infrastructure;

public static class ProjectExtensions
{
    /// <summary>
    /// A service project on an Aspire-allocated HTTP port, in the AppHost's environment, reported
    /// Healthy only when its own <c>/health</c> (every dependency) says so.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddMarketplaceProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, options => options.ExcludeLaunchProfile = true)
            .WithHttpEndpoint()
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithHttpHealthCheck("/health");
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
}
