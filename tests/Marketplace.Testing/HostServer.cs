using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Marketplace.Testing;

/// <summary>
/// A real server process started from the same eng/host scripts the AppHost's host mode uses, for
/// tests that must stop and restart infrastructure (which an Aspire-run app does not let them do).
/// </summary>
public sealed class HostServer : IAsyncDisposable
{
    private readonly ProcessStartInfo _startInfo;
    private readonly Func<CancellationToken, Task<bool>> _isReady;
    private readonly string _stopSignal;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private HostServer(string name, ProcessStartInfo startInfo, Func<CancellationToken, Task<bool>> isReady, string stopSignal)
    {
        Name = name;
        _startInfo = startInfo;
        _isReady = isReady;
        _stopSignal = stopSignal;
    }

    public string Name { get; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static HostServer Postgres(string dataDir, int port, string password) =>
        new("postgres", Script("postgres.sh", new()
        {
            ["PG_DATA_DIR"] = dataDir, ["PGPORT"] = port.ToString(), ["PG_PASSWORD"] = password,
        }), ct => Probes.PostgresAsync("127.0.0.1", port, ct), "INT");

    public static HostServer Epmd(int port) =>
        new("epmd", new ProcessStartInfo("epmd", ["-port", port.ToString()]),
            ct => Probes.TcpAsync("127.0.0.1", port, ct), "TERM");

    public static HostServer RabbitMq(string dataDir, int port, int distPort, int epmdPort, string user, string password) =>
        new("rabbitmq", Script("rabbitmq.sh", new()
        {
            ["RABBITMQ_DATA_DIR"] = dataDir, ["RABBITMQ_NODE_PORT"] = port.ToString(),
            ["RABBITMQ_DIST_PORT"] = distPort.ToString(), ["ERL_EPMD_PORT"] = epmdPort.ToString(),
            ["RABBITMQ_USER"] = user, ["RABBITMQ_PASSWORD"] = password,
        }), ct => Probes.AmqpAsync("127.0.0.1", port, ct), "TERM");

    /// <summary>Debian's redis-server without persistence: tests want a clean, fast server.</summary>
    public static HostServer Redis(int port) =>
        new("redis", new ProcessStartInfo("redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]),
            ct => Probes.RedisAsync("127.0.0.1", port, ct), "TERM");

    /// <summary>
    /// Python's aiosmtpd accepting every message into a maildir (<c>{mailDir}/new</c>), as host mode's
    /// <c>smtp</c> resource does. Debian's python3 is named explicitly: another python3 on PATH may lack the module.
    /// </summary>
    public static HostServer SmtpSink(string mailDir, int port) =>
        new("smtp", new ProcessStartInfo("/usr/bin/python3",
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", mailDir]),
            ct => Probes.SmtpAsync("127.0.0.1", port, ct), "TERM");

    private static ProcessStartInfo Script(string script, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash", [System.IO.Path.Combine(RepositoryRoot.Path, "eng", "host", script)]);
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        return psi;
    }

    /// <summary>Starts the server, or starts it again after <see cref="StopAsync"/>.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        _process?.Dispose();
        _startInfo.RedirectStandardOutput = true;
        _startInfo.RedirectStandardError = true;
        _startInfo.UseShellExecute = false;
        _process = Process.Start(_startInfo) ?? throw new InvalidOperationException($"{Name} did not start");
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout);
        while (!await _isReady(cts.Token))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}: {Output}");
            }
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"{Name} not ready within {timeout}: {Output}");
            }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", [$"-{_stopSignal}", _process.Id.ToString()]))
        {
            await kill!.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }
}
