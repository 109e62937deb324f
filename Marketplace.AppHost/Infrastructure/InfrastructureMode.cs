using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Marketplace.AppHost.Infrastructure;

/// <summary>Where the infrastructure runs: containers when a container runtime answers, else host processes.</summary>
public enum InfrastructureMode
{
    Host,
    Containers,
}

public static class InfrastructureModeDetection
{
    /// <summary>
    /// Publishing is always containers. Run locally, <c>--infra host|containers</c> (or <c>MARKETPLACE_INFRA</c>)
    /// wins; otherwise containers if <c>docker info</c> or <c>podman info</c> answers within a few seconds.
    /// </summary>
    public static InfrastructureMode GetInfrastructureMode(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            // A published manifest is always the cloud app model: host processes mean nothing to a cloud.
            return InfrastructureMode.Containers;
        }
        var requested = builder.Configuration["infra"] ?? builder.Configuration["MARKETPLACE_INFRA"];
        var mode = requested?.Trim().ToLowerInvariant() switch
        {
            "host" => InfrastructureMode.Host,
            "containers" or "container" or "docker" => InfrastructureMode.Containers,
            null or "" or "auto" => ContainerRuntimeAnswers() ? InfrastructureMode.Containers : InfrastructureMode.Host,
            _ => throw new DistributedApplicationException($"Unknown infrastructure mode '{requested}': use --infra host or --infra containers."),
        };

        if (mode == InfrastructureMode.Host && builder.ExecutionContext.IsRunMode)
        {
            HostPrerequisites.EnsureInstalled();
        }
        return mode;
    }

    private static bool ContainerRuntimeAnswers() =>
        Answers("docker", "info --format {{.ServerVersion}}") || Answers("podman", "info --format {{.Version.Version}}");

    private static bool Answers(string command, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}

/// <summary>Host mode runs Debian's server binaries; a missing one stops the AppHost at once with the fix.</summary>
public static class HostPrerequisites
{
    private static readonly (string Package, Func<bool> IsPresent)[] Required =
    [
        ("postgresql", () => Directory.Exists("/usr/lib/postgresql") &&
            Directory.EnumerateDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "postgres")))),
        ("redis-server", () => OnPath("redis-server")),
        ("rabbitmq-server", () => File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server") && OnPath("epmd")),
        ("python3-aiosmtpd", () => Directory.EnumerateDirectories("/usr/lib/python3/dist-packages", "aiosmtpd", SearchOption.TopDirectoryOnly).Any()),
    ];

    public static void EnsureInstalled() => EnsureInstalled(Required);

    public static void EnsureInstalled(IReadOnlyList<(string Package, Func<bool> IsPresent)> required)
    {
        var missing = required.Where(r => !SafeCheck(r.IsPresent)).Select(r => r.Package).ToList();
        if (missing.Count > 0)
        {
            throw new DistributedApplicationException(
                $"Host infrastructure mode needs the Debian packages: {string.Join(", ", missing)}. " +
                $"Install them with 'sudo apt-get install {string.Join(' ', missing)}' (or run eng/install-deps.sh), " +
                "or start Docker and run with --infra containers.");
        }
    }

    private static bool SafeCheck(Func<bool> check)
    {
        try
        {
            return check();
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/sbin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/bin")
            .Any(dir => File.Exists(Path.Combine(dir, command)));
}
