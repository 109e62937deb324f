using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Marketplace.AppHost.Infrastructure;

/// <summary>The PostgreSQL server, whichever way it runs, and a way to add one database per service.</summary>
public sealed class MarketplacePostgres(
    IResourceBuilder<IResourceWithConnectionString> server,
    Func<string, IResourceBuilder<IResourceWithConnectionString>> addDatabase)
{
    public IResourceBuilder<IResourceWithConnectionString> Server { get; } = server;

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(string name) => addDatabase(name);
}

public static class PostgresExtensions
{
    public static MarketplacePostgres AddMarketplacePostgres(this IDistributedApplicationBuilder builder, InfrastructureMode mode, HostData data)
    {
        if (mode == InfrastructureMode.Containers)
        {
            var container = builder.AddPostgres("postgres").WithDataVolume("marketplace-postgres-data");
            return new MarketplacePostgres(container, name => container.AddDatabase(name));
        }

        var password = builder.AddParameter("postgres-password", data.Secret("postgres-password"), secret: true);
        var server = builder.AddResource(new HostPostgresServerResource("postgres", data.Root, password.Resource))
            .WithArgs(Path.Combine(builder.AppHostDirectory, "..", "eng", "host", "postgres.sh"))
            .WithDirectTcpEndpoint(HostPostgresServerResource.EndpointName, env: "PGPORT")
            .WithEnvironment("PG_DATA_DIR", data.DirectoryReachableByServiceUsers("postgres"))
            .WithEnvironment("PG_PASSWORD", password)
            .WithIconName("DatabaseStack");

        var serverCheck = "postgres_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(serverCheck,
            _ => new NpgsqlHealthCheck(server.Resource.ConnectionStringExpression, "postgres"), HealthStatus.Unhealthy, null));
        server.WithHealthCheck(serverCheck);

        // Each service's database is created once the server answers, as Aspire's container integration does.
        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (ready, ct) =>
        {
            var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
            var connectionString = await server.Resource.ConnectionStringExpression.GetValueAsync(ct);
            await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
            await connection.OpenAsync(ct);
            foreach (var database in builder.Resources.OfType<HostPostgresDatabaseResource>())
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
                exists.Parameters.AddWithValue("name", database.DatabaseName);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName}\"", connection);
                    await create.ExecuteNonQueryAsync(ct);
                }
                // A database is not a process: it is Running once it exists, then its health check takes over.
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });

        return new MarketplacePostgres(server, name =>
        {
            var database = builder.AddResource(new HostPostgresDatabaseResource(name, name, server.Resource))
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = "PostgresDatabase",
                    State = KnownResourceStates.Waiting,
                    Properties = [new ResourcePropertySnapshot(CustomResourceKnownProperties.Source, name)],
                });
            var check = $"{name}_check";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(check,
                _ => new NpgsqlHealthCheck(server.Resource.ConnectionStringExpression, name), HealthStatus.Unhealthy, null));
            return database.WithHealthCheck(check);
        });
    }
}

/// <summary>Debian's PostgreSQL run by eng/host/postgres.sh (initdb on first start, then the server).</summary>
public sealed class HostPostgresServerResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

public sealed class HostPostgresDatabaseResource(string name, string databaseName, HostPostgresServerResource parent)
    : Resource(name), IResourceWithParent<HostPostgresServerResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public HostPostgresServerResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

internal sealed class NpgsqlHealthCheck(ReferenceExpression serverConnectionString, string database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await serverConnectionString.GetValueAsync(cancellationToken);
            await using var connection = new NpgsqlConnection($"{connectionString};Database={database};Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
