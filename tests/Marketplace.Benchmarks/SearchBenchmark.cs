using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HdrHistogram;
using Spectre.Console;

namespace Marketplace.Benchmarks;

/// <summary>
/// Search latency over the seeded catalogue for a fixed query mix, measured beside a cached product read
/// through the same gateway in the same run (one request of each in turn, so both meet the same machine),
/// and freshness: how long after a merchant's change is acknowledged the change can be found.
/// </summary>
public static class SearchBenchmark
{
    /// <summary>The fixed mix: plain words, typos, prefixes, filters, facets and sorts, each with facets computed.</summary>
    public static readonly string[] Queries =
    [
        "q=headphones", "q=acme", "q=running%20shoe", "q=smartphone%20pro", "q=hedphones", "q=blendr", "q=desk%20lamp",
        "q=nimbus%20ultra", "q=yoga", "q=camera%20lens", "category=Electronics", "q=laptop&brand=Contoso",
        "q=jacket&minPrice=50&maxPrice=200", "category=Home/Kitchen&sort=price-asc", "q=boot&sort=newest", "q=tent&inStock=true",
        "q=ac", "q=summit&page=3", "sort=price-desc", "q=serum&category=Beauty",
    ];

    public static async Task RunAsync(RunningApp app, int products, int rounds, int freshnessSamples)
    {
        using var gateway = app.Client();
        // no-cache is honoured for admins and merchants only.
        using var admin = await app.ClientForAsync("admin@marketplace.test");
        await WaitForIndexAsync(gateway, products);
        var ids = await ProductIdsAsync(gateway, 200);

        AnsiConsole.MarkupLine("Warming up…");
        for (var i = 0; i < 300; i++)
        {
            await TimeAsync(gateway, $"/api/search?{Queries[i % Queries.Length]}");
            await TimeAsync(gateway, $"/api/catalog/products/{ids[i % ids.Count]}");
        }

        var search = new LongHistogram(TimeStamp.Minutes(1), 3);
        var fresh = new LongHistogram(TimeStamp.Minutes(1), 3);
        var read = new LongHistogram(TimeStamp.Minutes(1), 3);
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"{rounds} rounds of a search, the same search computed afresh, a cached read", maxValue: rounds);
            for (var i = 0; i < rounds; i++)
            {
                search.RecordValue(await TimeAsync(gateway, $"/api/search?{Queries[i % Queries.Length]}"));
                fresh.RecordValue(await TimeAsync(admin, $"/api/search?{Queries[i % Queries.Length]}", noCache: true));
                read.RecordValue(await TimeAsync(gateway, $"/api/catalog/products/{ids[i % ids.Count]}"));
                task.Increment(1);
            }
        });

        var (lag, acknowledged) = await FreshnessAsync(app, gateway, freshnessSamples);

        var table = new Table().AddColumns("measure", "n", "p50 ms", "p95 ms", "p99 ms", "max ms");
        void Row(string name, LongHistogram h) => table.AddRow(name, h.TotalCount.ToString(),
            Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(95)), Ms(h.GetValueAtPercentile(99)), Ms(h.GetMaxValue()));
        Row($"search, {Queries.Length}-query mix, as served", search);
        Row("the same searches computed afresh (no-cache)", fresh);
        Row("cached product read", read);
        Row("freshness: change acknowledged → found", lag);
        Row("(the change itself: PUT through the gateway)", acknowledged);
        AnsiConsole.Write(table);
        var ratio = (double)search.GetValueAtPercentile(99) / read.GetValueAtPercentile(99);
        AnsiConsole.MarkupLine($"search p99 / cached read p99 = [bold]{ratio:F2}[/] (target ≤ 3): {(ratio <= 3 ? "[green]met[/]" : "[red]missed[/]")}");
        var freshRatio = (double)fresh.GetValueAtPercentile(99) / read.GetValueAtPercentile(99);
        AnsiConsole.MarkupLine($"computed-afresh search p99 / cached read p99 = [bold]{freshRatio:F2}[/] (for comparison: every search paid in full)");
        var freshP99 = lag.GetValueAtPercentile(99) / 1000.0;
        AnsiConsole.MarkupLine($"freshness p99 = [bold]{freshP99:F0} ms[/] (target ≤ 1000 ms): {(freshP99 <= 1000 ? "[green]met[/]" : "[red]missed[/]")}");
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One GET that must succeed; its latency in microseconds.</summary>
    private static async Task<long> TimeAsync(HttpClient client, string path, bool noCache = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (noCache)
        {
            request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        }
        var start = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (long)elapsed.TotalMicroseconds;
    }

    /// <summary>Waits until search finds the whole catalogue (the first start seeds and indexes it).</summary>
    private static async Task WaitForIndexAsync(HttpClient gateway, int products)
    {
        var stopwatch = Stopwatch.StartNew();
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"Catalogue of {products:N0} products searchable", maxValue: products);
            while (true)
            {
                var total = 0L;
                try
                {
                    total = (await gateway.GetFromJsonAsync<JsonElement>("/api/search?pageSize=1")).GetProperty("total").GetInt64();
                }
                catch (HttpRequestException)
                {
                    // Search still starting.
                }
                task.Value = Math.Min(total, products);
                if (total >= products)
                {
                    return;
                }
                await Task.Delay(2000);
            }
        });
        AnsiConsole.MarkupLine($"Index holds the catalogue ({stopwatch.Elapsed.TotalSeconds:F0} s waited)");
    }

    private static async Task<List<Guid>> ProductIdsAsync(HttpClient gateway, int count)
    {
        var ids = new List<Guid>();
        for (var page = 1; ids.Count < count; page++)
        {
            var list = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/products?pageSize=100&page={page}");
            ids.AddRange(list.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        }
        return ids.Take(count).ToList();
    }

    /// <summary>
    /// A merchant renames one of its products to carry a word nobody else has, then searches for that word
    /// until it is found: the time from the acknowledged change to the first search that finds it.
    /// </summary>
    private static async Task<(LongHistogram Lag, LongHistogram Acknowledged)> FreshnessAsync(RunningApp app, HttpClient gateway, int samples)
    {
        var lag = new LongHistogram(TimeStamp.Minutes(1), 3);
        var acknowledged = new LongHistogram(TimeStamp.Minutes(1), 3);
        using var merchant = await app.ClientForAsync("merchant@marketplace.test");
        var mine = await merchant.GetFromJsonAsync<JsonElement>($"/api/catalog/products?merchantId=5a0f3c1e-0000-4000-8000-000000000001&pageSize={Math.Min(samples, 100)}");
        var ids = mine.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"{samples} changes, each searched for until found", maxValue: samples);
            for (var i = 0; i < samples; i++)
            {
                var id = ids[i % ids.Count];
                using var current = await merchant.GetAsync($"/api/catalog/products/{id}");
                var product = JsonNode.Parse(await current.Content.ReadAsStringAsync())!.AsObject();
                var word = $"fresh{Guid.NewGuid():N}"[..16];
                product["title"] = $"{((string)product["title"]!).Split(" fresh")[0]} {word}";
                using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/catalog/products/{id}") { Content = JsonContent.Create(product) };
                put.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.ToString());
                var sent = Stopwatch.GetTimestamp();
                using var changed = await merchant.SendAsync(put);
                changed.EnsureSuccessStatusCode();
                var acked = Stopwatch.GetTimestamp();
                acknowledged.RecordValue((long)Stopwatch.GetElapsedTime(sent, acked).TotalMicroseconds);
                while (true)
                {
                    var found = await gateway.GetFromJsonAsync<JsonElement>($"/api/search?q={word}&pageSize=1");
                    if (found.GetProperty("total").GetInt64() > 0)
                    {
                        lag.RecordValue((long)Stopwatch.GetElapsedTime(acked).TotalMicroseconds);
                        break;
                    }
                    if (Stopwatch.GetElapsedTime(acked) > TimeSpan.FromSeconds(30))
                    {
                        throw new TimeoutException($"The change to {id} was not searchable after 30 s.");
                    }
                    await Task.Delay(5);
                }
                task.Increment(1);
            }
        });
        return (lag, acknowledged);
    }
}
