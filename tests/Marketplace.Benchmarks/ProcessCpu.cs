using System.Globalization;

namespace Marketplace.Benchmarks;

/// <summary>
/// CPU time spent by each process of the running app, read from /proc (utime + stime of every process whose
/// command line names one of our services, or is PostgreSQL, RabbitMQ or Redis), summed per name.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static Dictionary<string, double> SnapshotMilliseconds()
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux())
        {
            return totals;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (NameOf(cmdline) is not { } name)
                {
                    continue;
                }
                totals[name] = totals.GetValueOrDefault(name) + StatMilliseconds(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                // The process ended while we read it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return totals;
    }

    /// <summary>utime + stime of a /proc stat file, in milliseconds.</summary>
    private static double StatMilliseconds(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000 / TicksPerSecond;
    }

    /// <summary>
    /// Waits until the app's processes together use less than <paramref name="busyBelow"/> of one core for three seconds in a
    /// row, or <paramref name="atMost"/> has passed; returns how long it waited.
    /// </summary>
    public static async Task<TimeSpan> WaitForQuietAsync(double busyBelow, TimeSpan atMost)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var quietSeconds = 0;
        var before = SnapshotMilliseconds();
        while (started.Elapsed < atMost && quietSeconds < 3)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = SnapshotMilliseconds();
            var used = Difference(before, now).Values.Sum() / 1000;
            quietSeconds = used < busyBelow ? quietSeconds + 1 : 0;
            before = now;
        }
        return started.Elapsed;
    }

    public static Dictionary<string, double> Difference(Dictionary<string, double> before, Dictionary<string, double> after) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key), StringComparer.Ordinal);

    private static string? NameOf(string cmdline)
    {
        if (cmdline.Contains("Marketplace.Benchmarks", StringComparison.Ordinal) || cmdline.Contains("Marketplace.AppHost", StringComparison.Ordinal))
        {
            return null;
        }
        var at = cmdline.IndexOf("Marketplace.", StringComparison.Ordinal);
        if (at >= 0 && !cmdline.StartsWith("dotnet run", StringComparison.Ordinal) && !cmdline.Contains(" run ", StringComparison.Ordinal))
        {
            var end = at + "Marketplace.".Length;
            while (end < cmdline.Length && char.IsLetterOrDigit(cmdline[end]))
            {
                end++;
            }
            return cmdline[(at + "Marketplace.".Length)..end].ToLowerInvariant();
        }
        return cmdline switch
        {
            _ when cmdline.Contains("bin/postgres", StringComparison.Ordinal) || cmdline.StartsWith("postgres:", StringComparison.Ordinal) => "postgres",
            _ when cmdline.Contains("beam.smp", StringComparison.Ordinal) => "rabbitmq",
            _ when cmdline.StartsWith("redis-server", StringComparison.Ordinal) => "redis",
            _ => null,
        };
    }
}
