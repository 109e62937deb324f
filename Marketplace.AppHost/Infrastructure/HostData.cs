using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Marketplace.AppHost.Infrastructure;

/// <summary>
/// Where host-mode servers keep their data between runs: <c>.data/</c> in the checkout (git-ignored),
/// or <c>Marketplace:DataDir</c>. Development passwords are generated once per data directory and kept
/// beside the data, so nothing secret is ever in the repository.
/// </summary>
public sealed class HostData
{
    private HostData(string root) => Root = root;

    public string Root { get; }

    public static HostData For(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Marketplace:DataDir"];
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", ".data")
            : configured);
        System.IO.Directory.CreateDirectory(root);
        return new HostData(root);
    }

    public string Directory(string name)
    {
        var path = Path.Combine(Root, name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// A directory for a server that drops root privileges (PostgreSQL): it must be reachable by other
    /// users, so when the checkout sits under a private directory the data goes to /var/tmp instead.
    /// </summary>
    public string DirectoryReachableByServiceUsers(string name)
    {
        var preferred = Path.Combine(Root, name);
        if (OperatingSystem.IsWindows() || Environment.UserName != "root" || AncestorsAreTraversable(Root))
        {
            return preferred;
        }
        var key = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(preferred)))[..12].ToLowerInvariant();
        return Path.Combine("/var/tmp", "marketplace-" + key, name);
    }

    /// <summary>A random password created on first use and kept in the data directory.</summary>
    public string Secret(string name)
    {
        var path = Path.Combine(Directory("secrets"), name);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return secret;
    }

    /// <summary>
    /// A secret parameter: generated once per data directory when run locally, supplied at deployment
    /// in a published manifest.
    /// </summary>
    public IResourceBuilder<ParameterResource> SecretParameter(IDistributedApplicationBuilder builder, string name) =>
        builder.ExecutionContext.IsPublishMode
            ? builder.AddParameter(name, secret: true)
            : builder.AddParameter(name, Secret(name), secret: true);

    private static bool AncestorsAreTraversable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }
        for (var dir = new DirectoryInfo(path); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && !dir.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }
        return true;
    }
}
