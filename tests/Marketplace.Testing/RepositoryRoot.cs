namespace Marketplace.Testing;

public static class RepositoryRoot
{
    /// <summary>The checkout's root: the nearest folder above the test binaries holding Marketplace.sln.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Marketplace.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Marketplace.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh directory that service accounts such as postgres can reach (mode 755).</summary>
    public static string NewScratchDirectory(string prefix)
    {
        var dir = System.IO.Path.Combine("/tmp", $"{prefix}-{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(dir).FullName;
        }
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return dir;
    }
}
