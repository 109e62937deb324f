using System.Globalization;

namespace Marketplace.AppHost.Infrastructure;

public static class RabbitMqExtensions
{
    private const string User = "marketplace";

    public static IResourceBuilder<IResourceWithConnectionString> AddMarketplaceRabbitMQ(this IDistributedApplicationBuilder builder, InfrastructureMode mode, HostData data)
    {
        if (mode == InfrastructureMode.Containers)
        {
            return builder.AddRabbitMQ("rabbitmq").WithManagementPlugin().WithDataVolume("marketplace-rabbitmq-data");
        }

        // RabbitMQ registers with an Erlang port mapper; ours runs on its own port so nothing else on the box interferes.
        // epmd cannot sit behind the orchestrator's proxy (the node's registration is refused), and another
        // resource cannot reference a target port the orchestrator allocates, so the AppHost asks the OS
        // for a free port once at start-up and both processes use it directly.
        var epmdPort = HostPorts.Free();
        var epmd = builder.AddExecutable("rabbitmq-epmd", "epmd", data.Root, "-port", epmdPort.ToString(CultureInfo.InvariantCulture))
            .WithDirectTcpEndpoint("tcp", port: epmdPort)
            .WithIconName("PlugConnected");
        // NAMES_REQ (length 1, 'n'): epmd answers with its own port number, so the node can register.
        ProtocolHealthCheck.WithProtocolHealthCheck(epmd, "tcp", [0, 1, (byte)'n'], (_, read) => read >= 4);

        var password = builder.AddParameter("rabbitmq-password", data.Secret("rabbitmq-password"), secret: true);
        var rabbit = builder.AddResource(new HostRabbitMqResource("rabbitmq", data.Root, User, password.Resource))
            .WithArgs(Path.Combine(builder.AppHostDirectory, "..", "eng", "host", "rabbitmq.sh"))
            .WithDirectTcpEndpoint(HostRabbitMqResource.EndpointName, env: "RABBITMQ_NODE_PORT")
            .WithDirectTcpEndpoint("dist", env: "RABBITMQ_DIST_PORT")
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture);
                context.EnvironmentVariables["RABBITMQ_DATA_DIR"] = data.Directory("rabbitmq");
                context.EnvironmentVariables["RABBITMQ_USER"] = User;
                context.EnvironmentVariables["RABBITMQ_PASSWORD"] = password.Resource;
            })
            .WaitFor(epmd)
            .WithIconName("Mail");
        return ProtocolHealthCheck.WithProtocolHealthCheck(rabbit, HostRabbitMqResource.EndpointName,
            "AMQP\0\0\x09\x01"u8.ToArray(), (reply, _) => reply[0] == 1);
    }
}

/// <summary>Debian's RabbitMQ run by eng/host/rabbitmq.sh with its own node name, ports and data.</summary>
public sealed class HostRabbitMqResource(string name, string workingDirectory, string user, ParameterResource password)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{user}:{password}@{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
