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
