using System.Text;

namespace Marketplace.AppHost.Infrastructure;

public static class RedisExtensions
{
    public static IResourceBuilder<IResourceWithConnectionString> AddMarketplaceRedis(this IDistributedApplicationBuilder builder, InfrastructureMode mode, HostData data)
    {
        if (mode == InfrastructureMode.Containers)
        {
            return builder.AddRedis("redis").WithDataVolume("marketplace-redis-data");
        }

        var secret = data.Secret("redis-password");
        var password = builder.AddParameter("redis-password", secret, secret: true);
        var redis = builder.AddResource(new HostRedisResource("redis", data.Directory("redis"), password.Resource))
            .WithDirectTcpEndpoint(HostRedisResource.EndpointName)
            .WithArgs(context =>
            {
                var endpoint = ((HostRedisResource)context.Resource).PrimaryEndpoint;
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--dir");
                context.Args.Add(data.Directory("redis"));
                context.Args.Add("--requirepass");
                context.Args.Add(password.Resource);
                context.Args.Add("--save");
                context.Args.Add("60 100");
                context.Args.Add("--daemonize");
                context.Args.Add("no");
            })
            .WithIconName("Memory");
        // AUTH then PING: a reply of +OK proves the server and the password.
        var auth = Encoding.ASCII.GetBytes($"AUTH {secret}\r\n");
        return ProtocolHealthCheck.WithProtocolHealthCheck(redis, HostRedisResource.EndpointName, auth,
            (reply, read) => read >= 3 && reply[0] == (byte)'+');
    }
}

/// <summary>Debian's redis-server as a host process.</summary>
public sealed class HostRedisResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={password}");
}
