using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Lowers the CPU priority of the whole process. On Linux a priority belongs to a thread, and
/// <see cref="Process.PriorityClass"/> sets only the calling one's (threads it starts afterwards inherit it): the runtime's
/// own threads started before it (tiered compilation, the finalizer, the signal handler) would keep the normal priority.
/// So on Linux every thread the process has is lowered as well.
/// </summary>
public static class ProcessPriority
{
    private const int PrioProcess = 0; // setpriority's "which": with a thread id as "who", that one thread on Linux

    /// <summary>Only lowers (<see cref="ProcessPriorityClass.BelowNormal"/> or <see cref="ProcessPriorityClass.Idle"/>): raising needs privileges a service should not have.</summary>
    public static void Lower(ProcessPriorityClass priority)
    {
        if (priority is not (ProcessPriorityClass.BelowNormal or ProcessPriorityClass.Idle))
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "Only BelowNormal or Idle: a priority is only ever lowered.");
        }
        using (var process = Process.GetCurrentProcess())
        {
            process.PriorityClass = priority; // the whole process on Windows and macOS; this thread on Linux
        }
        if (OperatingSystem.IsLinux())
        {
            var nice = priority == ProcessPriorityClass.Idle ? 19 : 10; // what .NET gives these classes on Unix
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (int.TryParse(Path.GetFileName(task), out var threadId))
                {
                    _ = SetPriority(PrioProcess, threadId, nice); // a thread that ended meanwhile is no loss
                }
            }
        }
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);
}
