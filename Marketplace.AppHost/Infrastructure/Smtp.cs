namespace Marketplace.AppHost.Infrastructure;

public static class SmtpExtensions
{
    /// <summary>An SMTP sink that accepts every message: MailPit (with a web UI) or Python's aiosmtpd writing a maildir.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddMarketplaceSmtp(this IDistributedApplicationBuilder builder, InfrastructureMode mode, HostData data)
    {
        if (mode == InfrastructureMode.Containers)
        {
            return builder.AddResource(new MailPitResource("smtp"))
                .WithImage("axllent/mailpit", "v1.27")
                .WithImageRegistry("docker.io")
                .WithEndpoint(name: SmtpEndpoint, targetPort: 1025, scheme: "tcp")
                .WithHttpEndpoint(name: "http", targetPort: 8025)
                .WithHttpHealthCheck("/livez", endpointName: "http");
        }

        var mailDir = data.Directory("mail");
        // A maildir: Python's Maildir creates these only when it creates the folder itself.
        foreach (var part in (string[])["tmp", "new", "cur"])
        {
            Directory.CreateDirectory(Path.Combine(mailDir, part));
        }
        var smtp = builder.AddResource(new HostSmtpResource("smtp", data.Root))
            .WithEndpoint(name: SmtpEndpoint, scheme: "tcp")
            .WithArgs(context =>
            {
                var endpoint = ((HostSmtpResource)context.Resource).PrimaryEndpoint;
                context.Args.Add("-m");
                context.Args.Add("aiosmtpd");
                context.Args.Add("-n");
                context.Args.Add("-l");
                context.Args.Add(ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("-c");
                context.Args.Add("aiosmtpd.handlers.Mailbox");
                context.Args.Add(mailDir);
            })
            .WithEnvironment("MARKETPLACE_MAILDIR", mailDir)
            .WithIconName("MailInbox");
        return ProtocolHealthCheck.WithProtocolHealthCheck(smtp, SmtpEndpoint, [],
            (reply, read) => read >= 3 && reply[0] == (byte)'2' && reply[1] == (byte)'2' && reply[2] == (byte)'0');
    }

    public const string SmtpEndpoint = "smtp";
}

/// <summary>Debian's python3-aiosmtpd as an SMTP sink storing mail in a maildir under the data directory.</summary>
public sealed class HostSmtpResource(string name, string workingDirectory)
    : ExecutableResource(name, "/usr/bin/python3", workingDirectory), IResourceWithConnectionString
{
    public EndpointReference PrimaryEndpoint => new(this, SmtpExtensions.SmtpEndpoint);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"smtp://{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

public sealed class MailPitResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public EndpointReference PrimaryEndpoint => new(this, SmtpExtensions.SmtpEndpoint);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"smtp://{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
