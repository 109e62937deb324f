using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Tests;

/// <summary>
/// A lowered priority covers every thread of the process, also those started before it was lowered (on Linux a
/// priority is a thread's). It lowers this test process too, for the rest of its short life.
/// </summary>
public sealed class ProcessPriorityTests
{
    [Fact]
    public void Every_thread_is_lowered_also_those_started_before()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Thread priorities are read from /proc.");
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var earlier = new Thread(() =>
        {
            started.Set();
            release.Wait();
        });
        earlier.Start();
        started.Wait(TestContext.Current.CancellationToken);
        try
        {
            ProcessPriority.Lower(ProcessPriorityClass.BelowNormal);

            var nices = Directory.EnumerateDirectories("/proc/self/task").Select(NiceOf).OfType<int>().ToList();
            Assert.True(nices.Count >= 2, "the process has this thread and the earlier one at least");
            Assert.All(nices, nice => Assert.True(nice >= 10, $"a thread still at nice {nice}"));
        }
        finally
        {
            release.Set();
            earlier.Join();
        }
    }

    [Fact]
    public void A_priority_is_only_ever_lowered() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessPriority.Lower(ProcessPriorityClass.High));

    /// <summary>The nice value of a thread (the 19th field of its stat line; its name, in parentheses, may hold spaces).</summary>
    private static int? NiceOf(string task)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // the thread ended meanwhile
        }
    }
}
