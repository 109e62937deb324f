using Marketplace.Benchmarks;
using Marketplace.Testing;
using Spectre.Console;

// Benchmarks of the running system: programs that print figures (docs/benchmarks.md), never timed tests.
//   dotnet run -c Release --project tests/Marketplace.Benchmarks -- search [--products 100000] [--rounds 4000] [--freshness 200]
//   dotnet run -c Release --project tests/Marketplace.Benchmarks -- flash-sale [--buyers 2000] [--units 1000] [--concurrency 200] [--pgbench-clients 32] [--warm-up 200]
//       [--fault broker-pause|broker-restart|ordering-restart|inventory-restart] [--replicas N]
var command = args.FirstOrDefault();
if (Console.IsOutputRedirected)
{
    // Into a file, each figure stays on one line under its own name (a terminal's 80 columns would wrap the tables).
    AnsiConsole.Profile.Width = 400;
}
var options = Options.Parse(args.Skip(1));
switch (command)
{
    case "search":
    {
        var products = options.Int("products", 100_000);
        var dataDir = options.String("data-dir", Path.Combine(RepositoryRoot.Path, ".data", $"bench-search-{products}"));
        AnsiConsole.MarkupLine($"Search benchmark: {products:N0} products, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        await using var app = await RunningApp.StartAsync(dataDir, [$"--Catalog:SeedProducts={products}", .. RunningApp.OneClientMachine]);
        await SearchBenchmark.RunAsync(app, products, options.Int("rounds", 4000), options.Int("freshness", 200));
        return 0;
    }
    case "flash-sale":
    {
        var dataDir = options.String("data-dir", Path.Combine(RepositoryRoot.Path, ".data", "bench-flash-sale"));
        AnsiConsole.MarkupLine($"Flash sale: {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var fault = options.String("fault", "");
        if (fault.Length > 0 && !FlashSale.Faults.ContainsKey(fault))
        {
            AnsiConsole.MarkupLine($"--fault is one of: {string.Join(", ", FlashSale.Faults.Keys)}");
            return 2;
        }
        // --replicas N: the services a sale goes through, and the edge, N times each.
        var replicas = options.Int("replicas", 1);
        string[] scaled = replicas > 1 ? [.. new[] { "Ordering", "Inventory", "Payment", "Gateway" }.Select(s => $"--{s}:Replicas={replicas}")] : [];
        AnsiConsole.MarkupLine($"Replicas of Ordering, Inventory, Payment and the gateway: {replicas}");
        // Any --Section:Key=value goes to the AppHost as it is (an experiment's setting, e.g. --Marketplace:Gen0Size=0x2000000).
        string[] appSettings = [.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':') && a.Contains('='))];
        // The buyers are throw-away accounts: their passwords are hashed with 1,000 PBKDF2 iterations instead of 100,000
        // (Development only; the services inherit the variable), so registering and signing in 2,000 of them on a first
        // run costs seconds of Identity's CPU instead of minutes. The sale itself hashes nothing.
        if (Environment.GetEnvironmentVariable("Identity__PasswordHasher__IterationCount") is null)
        {
            Environment.SetEnvironmentVariable("Identity__PasswordHasher__IterationCount", "1000");
        }
        await using var app = await RunningApp.StartAsync(dataDir, ["--Catalog:SeedProducts=200", FixedGateway(options), .. RunningApp.OneClientMachine, .. scaled, .. appSettings], keepPorts: true);
        var held = await FlashSale.RunAsync(app, dataDir, options.Int("buyers", 2000), options.Int("units", 1000),
            options.Int("concurrency", 200), options.Int("pgbench-clients", 32), options.Int("warm-up", 200), fault.Length > 0 ? fault : null);
        return held ? 0 : 1;
    }
    default:
        AnsiConsole.MarkupLine("usage: [bold]search[/] [[--products N]] [[--rounds N]] [[--freshness N]] [[--data-dir DIR]]");
        AnsiConsole.MarkupLine("       [bold]flash-sale[/] [[--buyers N]] [[--units N]] [[--concurrency N]] [[--pgbench-clients N]] [[--warm-up N]] [[--fault NAME]] [[--replicas N]] [[--gateway-port N]] [[--data-dir DIR]]");
        return 2;
}

internal partial class Program
{
    /// <summary>
    /// The gateway on one port every run (default 18290): it is the issuer of the buyers' tokens, which are kept between
    /// runs (a sign-in costs a password hash); the app is started with its configured ports kept for that.
    /// </summary>
    private static string FixedGateway(Options options) => $"--Gateway:Port={options.Int("gateway-port", 18290)}";
}

internal sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                values[name] = "true";
            }
            else if (name is not null)
            {
                values[name] = arg;
                name = null;
            }
        }
        return new Options(values);
    }

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => values.GetValueOrDefault(name) ?? fallback;
}
