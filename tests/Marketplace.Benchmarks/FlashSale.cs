using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using HdrHistogram;
using Spectre.Console;

namespace Marketplace.Benchmarks;

/// <summary>
/// The flash sale: N buyers, each with a real account and token, race through the gateway for M units of
/// one SKU, one unit each. Then the invariants are read back from the services and the payment provider:
/// nothing oversold, no order lost or stuck, nobody charged twice or charged for nothing, the ledger equal
/// to the stock. Finally pgbench's single-row decrement runs on the same PostgreSQL for scale.
/// </summary>
public static partial class FlashSale
{
    private static readonly string[] Terminal = ["Confirmed", "Cancelled", "Shipped", "PartiallyShipped"];

    private sealed record Buyer(string Email, HttpClient Client);

    /// <param name="SentAt">When the buyer clicked (the first attempt was sent).</param>
    /// <param name="Held">The answer carried the hold (AwaitingPayment); false when the order was taken Pending (Inventory slow).</param>
    private sealed record Placed(Buyer Buyer, Guid OrderId, long AcceptMicros, DateTimeOffset SentAt, bool Held);

    /// <summary>What <c>--fault</c> can do to the app mid-sale (once a tenth of the buyers have their answer).</summary>
    public static readonly IReadOnlyDictionary<string, Func<RunningApp, CancellationToken, Task>> Faults = new Dictionary<string, Func<RunningApp, CancellationToken, Task>>
    {
        ["broker-pause"] = (app, ct) => app.PauseAsync("rabbitmq", TimeSpan.FromSeconds(15), ct),
        ["broker-restart"] = (app, ct) => app.CrashAndRestartAsync("rabbitmq", TimeSpan.FromSeconds(2), ct),
        ["ordering-restart"] = (app, ct) => app.CrashAndRestartAsync("ordering", TimeSpan.FromSeconds(2), ct),
        ["inventory-restart"] = (app, ct) => app.CrashAndRestartAsync("inventory", TimeSpan.FromSeconds(2), ct),
    };

    public static async Task<bool> RunAsync(RunningApp app, string dataDir, int buyerCount, int units, int concurrency, int pgbenchClients, int warmUp, string? fault = null)
    {
        var buyers = await BuyersAsync(app, dataDir, buyerCount);
        using var merchant = await app.ClientForAsync("merchant@marketplace.test");
        using var admin = await app.ClientForAsync("admin@marketplace.test");
        if (warmUp > 0)
        {
            await WarmUpAsync(app, merchant, buyers.Take(warmUp).ToList());
        }
        var sku = await SaleProductAsync(merchant, units);
        // A sale measured during the app's start-up tail (indexing, seeding, first compilations) would charge that work
        // to the orders: the sale starts once the app's processes are quiet.
        var settled = await ProcessCpu.WaitForQuietAsync(busyBelow: 0.25, TimeSpan.FromSeconds(90));
        AnsiConsole.MarkupLine($"App quiet after {settled.TotalSeconds:F0} s");
        // What the app costs doing nothing (health checks, pollers, the servers' own timers): part of every figure below.
        var restingFrom = ProcessCpu.SnapshotMilliseconds();
        await Task.Delay(IdleSample);
        var idle = ProcessCpu.Difference(restingFrom, ProcessCpu.SnapshotMilliseconds());
        AnsiConsole.MarkupLine($"On sale: [bold]{units}[/] units of {sku}; [bold]{buyers.Count}[/] buyers, {concurrency} requests in flight at most");

        // The race. Every buyer wants a definitive answer: the unit held for them (201 AwaitingPayment), or sold out (409).
        var accepted = new ConcurrentBag<Placed>();
        var refused = new ConcurrentDictionary<int, int>();
        var acceptLatency = new LongConcurrentHistogram(1, TimeStamp.Minutes(10), 3);
        var decisionLatency = new LongConcurrentHistogram(1, TimeStamp.Minutes(10), 3);
        var decidedAt = new ConcurrentBag<DateTimeOffset>();
        var soldOut = 0;
        var database = await DatabaseWork.MarkAsync(app);
        var cpuBefore = ProcessCpu.SnapshotMilliseconds();
        var startedAt = DateTimeOffset.UtcNow;
        var race = Stopwatch.StartNew();
        var answered = 0;
        var faultStarted = new TaskCompletionSource();
        var faultTask = fault is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await faultStarted.Task;
            var at = race.Elapsed;
            await Faults[fault](app, CancellationToken.None);
            AnsiConsole.MarkupLine($"Fault [bold]{fault}[/]: from {at.TotalSeconds:F1} s to {race.Elapsed.TotalSeconds:F1} s into the sale (until healthy again)");
        });
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("Orders placed", maxValue: buyers.Count);
            await Parallel.ForEachAsync(buyers, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (buyer, ct) =>
            {
                var sentAt = DateTimeOffset.UtcNow;
                var (status, id, held, soldOutAnswer, micros) = await PlaceWithRetriesAsync(buyer.Client, sku);
                if (status == HttpStatusCode.Created)
                {
                    accepted.Add(new Placed(buyer, id, micros, sentAt, held));
                    acceptLatency.RecordValue(micros);
                }
                else
                {
                    refused.AddOrUpdate((int)status, 1, (_, n) => n + 1);
                }
                if (held || soldOutAnswer)
                {
                    decisionLatency.RecordValue(micros);
                    decidedAt.Add(DateTimeOffset.UtcNow);
                }
                if (soldOutAnswer)
                {
                    Interlocked.Increment(ref soldOut);
                }
                task.Increment(1);
                if (Interlocked.Increment(ref answered) == Math.Max(1, buyers.Count / 10))
                {
                    faultStarted.TrySetResult(); // mid-sale: a tenth of the buyers have their answer
                }
            });
        });
        var placingTook = race.Elapsed;
        faultStarted.TrySetResult();
        await faultTask;

        // Every accepted order must end: confirmed or cancelled with a reason.
        await SettleAsync(app, accepted.ToList(), TimeSpan.FromMinutes(3));
        var settledTook = race.Elapsed;
        var cpu = ProcessCpu.Difference(cpuBefore, ProcessCpu.SnapshotMilliseconds());
        var idleCpu = idle.Values.Sum() * settledTook.TotalSeconds / IdleSample.TotalSeconds;
        // Read once through the API, after the measured window: what each buyer would see.
        var orders = await ReadOrdersAsync(accepted.ToList());

        // An order taken Pending (no answer from Inventory at the click) is decided when it leaves Pending.
        foreach (var p in accepted.Where(p => !p.Held && orders.ContainsKey(p.OrderId)))
        {
            var left = orders[p.OrderId].GetProperty("history").EnumerateArray().Skip(1).Select(t => t.GetProperty("at").GetDateTimeOffset()).FirstOrDefault();
            if (left != default)
            {
                decisionLatency.RecordValue((long)(left - p.SentAt).TotalMicroseconds);
                decidedAt.Add(left);
            }
        }

        var confirmed = orders.Values.Where(o => o.GetProperty("status").GetString() == "Confirmed").ToList();
        var cancelled = orders.Values.Where(o => o.GetProperty("status").GetString() == "Cancelled").ToList();
        var stuck = orders.Values.Count(o => !Terminal.Contains(o.GetProperty("status").GetString()));
        var lost = accepted.Count - orders.Count;
        var cancelledWithoutReason = cancelled.Count(o => string.IsNullOrWhiteSpace(o.GetProperty("cancelReason").GetString()));
        var lastConfirmedAt = confirmed.Select(ConfirmedAt).DefaultIfEmpty(startedAt).Max();
        var confirmWindow = (lastConfirmedAt - startedAt).TotalSeconds;
        var confirmedPerSecond = confirmWindow > 0 ? confirmed.Count / confirmWindow : 0;
        var decisionWindow = (decidedAt.DefaultIfEmpty(startedAt).Max() - startedAt).TotalSeconds;
        var decisionsPerSecond = decisionWindow > 0 ? decidedAt.Count / decisionWindow : 0;
        var endToEnd = new LongHistogram(TimeStamp.Minutes(10), 3);
        foreach (var o in orders.Values.Where(o => Terminal.Contains(o.GetProperty("status").GetString())))
        {
            var history = o.GetProperty("history").EnumerateArray().ToList();
            endToEnd.RecordValue((long)(history[^1].GetProperty("at").GetDateTimeOffset() - history[0].GetProperty("at").GetDateTimeOffset()).TotalMicroseconds);
        }

        // What the money says: the provider's own book of every order.
        var (doubleCharges, chargedForNothing) = await PaymentsAsync(app, confirmed, cancelled);
        // What the stock says.
        var stock = await merchant.GetFromJsonAsync<JsonElement>($"/api/inventory/{sku}");
        var consistency = await admin.GetFromJsonAsync<JsonElement>("/api/inventory/consistency");
        var mismatches = consistency.GetProperty("mismatches").GetArrayLength();
        var reserved = stock.GetProperty("reserved").GetInt32();
        var oversold = Math.Max(0, confirmed.Count - units) + Math.Max(0, reserved - units);

        var totalCpu = cpu.Values.Sum();
        var figures = new Table().AddColumns("figure", "value");
        figures.AddRow("buyers / units", $"{buyers.Count} / {units}");
        figures.AddRow("answers: held (201 AwaitingPayment) / taken Pending / sold out (409) / other", $"{accepted.Count(p => p.Held)} / {accepted.Count(p => !p.Held)} / {soldOut} / {refused.Values.Sum() - soldOut} {string.Join(" ", refused.Select(r => $"[{r.Key}×{r.Value}]"))}".EscapeMarkup());
        figures.AddRow("decision latency p50 / p95 / p99 / max", Percentiles(decisionLatency));
        figures.AddRow("decisions/s", $"{decisionsPerSecond:F1} ({decidedAt.Count} in {decisionWindow:F1} s)");
        figures.AddRow("confirmed orders/s", $"{confirmedPerSecond:F1} ({confirmed.Count} in {confirmWindow:F1} s, first order sent → last confirmed)");
        figures.AddRow("201 answer latency p50 / p95 / p99 / max", Percentiles(acceptLatency));
        figures.AddRow("placing took", $"{placingTook.TotalSeconds:F1} s");
        figures.AddRow("all settled after", $"{settledTook.TotalSeconds:F1} s (watched in Ordering's database once a second; each order read through the API afterwards)");
        figures.AddRow("placed → confirmed or cancelled p50 / p95 / p99 / max", Percentiles(endToEnd));
        figures.AddRow("CPU per confirmed order, all processes", confirmed.Count > 0 ? $"{totalCpu / confirmed.Count:F1} ms ({totalCpu / 1000:F1} s in all)" : "–");
        figures.AddRow("CPU per confirmed order by process", confirmed.Count > 0
            ? string.Join(", ", cpu.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value / confirmed.Count:F1}"))
            : "–");
        figures.AddRow("of which idle (the app's CPU at rest, over the same time)", confirmed.Count > 0
            ? $"{idleCpu / confirmed.Count:F1} ms per confirmed order; at rest: {string.Join(", ", idle.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value / IdleSample.TotalSeconds:F1}"))} ms/s"
            : "–");
        AnsiConsole.Write(figures);

        var invariants = new Table().AddColumns("invariant", "count");
        void Row(string name, int count) => invariants.AddRow(name, count == 0 ? "[green]0[/]" : $"[red]{count}[/]");
        invariants.AddRow("sold (confirmed)", confirmed.Count.ToString(CultureInfo.InvariantCulture));
        invariants.AddRow("cancelled (with a reason)", cancelled.Count.ToString(CultureInfo.InvariantCulture));
        Row("oversold", oversold);
        Row("lost orders (accepted, unknown to Ordering)", lost);
        Row("stuck orders (not confirmed or cancelled after 3 min)", stuck);
        Row("cancelled without a reason", cancelledWithoutReason);
        Row("double charges (more than one capture)", doubleCharges);
        Row("charged but not sold (capture not refunded)", chargedForNothing);
        Row("ledger vs stock mismatches", mismatches);
        Row("stock reserved ≠ units sold", Math.Abs(reserved - confirmed.Count));
        AnsiConsole.Write(invariants);
        var allZero = oversold + lost + stuck + cancelledWithoutReason + doubleCharges + chargedForNothing + mismatches + Math.Abs(reserved - confirmed.Count) == 0;
        AnsiConsole.MarkupLine(allZero ? "[green]Every invariant holds.[/]" : "[red]An invariant is broken.[/]");
        await database.PrintAsync(confirmed.Count);
        await database.PrintProviderCallsAsync(confirmed.Count);
        await database.PrintMessagesAsync(confirmed.Count);

        try
        {
            var pgbench = await PgbenchAsync(app, pgbenchClients);
            AnsiConsole.MarkupLine($"pgbench single-row decrement on the same PostgreSQL: [bold]{pgbench:F0} tps[/] ({pgbenchClients} clients, 20 s)");
            AnsiConsole.MarkupLine($"decisions/s ÷ pgbench tps = [bold]{decisionsPerSecond / pgbench:P1}[/] (target ≥ 5 %)");
            AnsiConsole.MarkupLine($"confirmed orders/s ÷ pgbench tps = [bold]{confirmedPerSecond / pgbench:P1}[/] (target ≥ 2.5 %)");
        }
        catch (InvalidOperationException e)
        {
            AnsiConsole.MarkupLine($"[red]pgbench did not run:[/] {e.Message.EscapeMarkup()}");
        }
        foreach (var buyer in buyers)
        {
            buyer.Client.Dispose();
        }
        return allZero;
    }

    /// <summary>
    /// A small sale before the measured one, not measured: a service's first requests of a kind run code that is not yet
    /// compiled (or only at the first tier), and a flash sale in production meets services that have been serving for a
    /// while. Half its buyers get a unit, half are told sold out; every order is confirmed or cancelled before the sale.
    /// </summary>
    private static async Task WarmUpAsync(RunningApp app, HttpClient merchant, List<Buyer> buyers)
    {
        var stopwatch = Stopwatch.StartNew();
        var sku = await SaleProductAsync(merchant, Math.Max(1, buyers.Count / 2));
        var accepted = new ConcurrentBag<Placed>();
        await Parallel.ForEachAsync(buyers, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (buyer, ct) =>
        {
            var sentAt = DateTimeOffset.UtcNow;
            var (status, id, held, _, micros) = await PlaceWithRetriesAsync(buyer.Client, sku);
            if (status == HttpStatusCode.Created)
            {
                accepted.Add(new Placed(buyer, id, micros, sentAt, held));
            }
        });
        await SettleAsync(app, [.. accepted], TimeSpan.FromMinutes(2));
        await ReadOrdersAsync([.. accepted]);
        AnsiConsole.MarkupLine($"Warm-up sale (not measured): {buyers.Count} buyers, {accepted.Count} orders settled in {stopwatch.Elapsed.TotalSeconds:F0} s");
    }

    private static string Percentiles(HistogramBase h) => string.Join(" / ",
        new[] { h.GetValueAtPercentile(50), h.GetValueAtPercentile(95), h.GetValueAtPercentile(99), h.GetMaxValue() }
            .Select(v => (v / 1000.0).ToString("F0", CultureInfo.InvariantCulture) + " ms"));

    private static DateTimeOffset ConfirmedAt(JsonElement order) =>
        order.GetProperty("history").EnumerateArray().First(t => t.GetProperty("to").GetString() == "Confirmed").GetProperty("at").GetDateTimeOffset();

    /// <summary>
    /// Places one order for one unit, as a careful client does: on a 5xx or a lost connection it sends the
    /// same request again under the same Idempotency-Key, so a retry can never buy twice.
    /// </summary>
    private static async Task<(HttpStatusCode Status, Guid OrderId, bool Held, bool SoldOut, long Micros)> PlaceWithRetriesAsync(HttpClient client, string sku)
    {
        var key = Guid.NewGuid().ToString();
        var body = new
        {
            lines = new[] { new { sku, quantity = 1 } },
            shippingAddress = new { name = "Flash Buyer", line1 = "1 Sale Street", city = "Rushville", postalCode = "10001", country = "US" },
            paymentMethod = "pm_card_visa",
        };
        var start = Stopwatch.GetTimestamp();
        // A careful client keeps trying for a while (a service restarting mid-sale is back within it).
        bool GiveUp() => Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(90);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await client.SendAsync(request);
                if ((int)response.StatusCode < 500 || GiveUp())
                {
                    var micros = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    var answer = response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
                    return response.StatusCode switch
                    {
                        HttpStatusCode.Created => (response.StatusCode, answer.GetProperty("id").GetGuid(), answer.GetProperty("status").GetString() == "AwaitingPayment", false, micros),
                        HttpStatusCode.Conflict => (response.StatusCode, Guid.Empty, false, answer.TryGetProperty("title", out var t) && t.GetString() == "Sold out", micros),
                        _ => (response.StatusCode, Guid.Empty, false, false, micros),
                    };
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !GiveUp())
            {
            }
            await Task.Delay(Math.Min(200 * attempt, 2000));
        }
    }

    private static readonly TimeSpan IdleSample = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits until every accepted order is confirmed or cancelled, watching Ordering's database once a second (one query):
    /// a storefront learns the outcome from the buyer's live stream, so reading each order through the API until it ends
    /// would be the benchmark's own load in the CPU it measures (it was ~2 reads per order at one round every 4 s).
    /// </summary>
    private static async Task SettleAsync(RunningApp app, List<Placed> placed, TimeSpan limit)
    {
        var open = placed.Select(p => p.OrderId).ToArray();
        await using var connection = new Npgsql.NpgsqlConnection(await app.ConnectionStringAsync("orderingdb"));
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow + limit;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("Orders confirmed or cancelled", maxValue: placed.Count);
            while (open.Length > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                // Only the orders still open are asked about, so the query shrinks as the sale settles. A lost order (no row)
                // counts as ended here; the reads afterwards find it missing.
                await using var stillOpen = new Npgsql.NpgsqlCommand("SELECT id FROM orders WHERE id = ANY(@ids) AND status <> ALL(@terminal)", connection);
                stillOpen.Parameters.AddWithValue("ids", open);
                stillOpen.Parameters.AddWithValue("terminal", Terminal);
                var ids = new List<Guid>();
                await using (var reader = await stillOpen.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        ids.Add(reader.GetGuid(0));
                    }
                }
                open = [.. ids];
                task.Value = placed.Count - open.Length;
            }
        });
    }

    /// <summary>Every accepted order as its buyer reads it (status, cancel reason, history); a lost one is absent.</summary>
    private static async Task<Dictionary<Guid, JsonElement>> ReadOrdersAsync(List<Placed> placed)
    {
        var orders = new ConcurrentDictionary<Guid, JsonElement>();
        await Parallel.ForEachAsync(placed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (p, ct) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                using var response = await p.Buyer.Client.GetAsync($"/api/orders/{p.OrderId}", ct);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return; // lost: counted by its absence
                }
                if (response.IsSuccessStatusCode || attempt == 10)
                {
                    response.EnsureSuccessStatusCode();
                    orders[p.OrderId] = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    return;
                }
                await Task.Delay(500, ct); // a service still restarting after a fault
            }
        });
        return new Dictionary<Guid, JsonElement>(orders);
    }

    /// <summary>Per order, from the provider: a sold order captured exactly once, a cancelled one refunded whatever was captured.</summary>
    private static async Task<(int DoubleCharges, int ChargedForNothing)> PaymentsAsync(RunningApp app, List<JsonElement> confirmed, List<JsonElement> cancelled)
    {
        using var provider = app.Client("payment-provider");
        var doubleCharges = 0;
        var chargedForNothing = 0;
        // Captures follow confirmation asynchronously: give them a moment before judging.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var order in confirmed.Concat(cancelled))
        {
            var id = order.GetProperty("id").GetGuid();
            var sold = order.GetProperty("status").GetString() == "Confirmed";
            while (true)
            {
                using var response = await provider.GetAsync($"/sim/orders/{id}");
                var book = response.StatusCode == HttpStatusCode.NotFound ? (JsonElement?)null : await response.Content.ReadFromJsonAsync<JsonElement>();
                var captures = book?.GetProperty("successfulCaptures").GetInt32() ?? 0;
                var net = (book?.GetProperty("capturedTotal").GetInt64() ?? 0) - (book?.GetProperty("refundedTotal").GetInt64() ?? 0);
                var settled = sold ? captures == 1 : net == 0;
                if (settled || DateTime.UtcNow > deadline)
                {
                    doubleCharges += captures > 1 ? 1 : 0;
                    chargedForNothing += !sold && net > 0 ? 1 : 0;
                    if (sold && captures == 0)
                    {
                        AnsiConsole.MarkupLine($"[yellow]order {id} is confirmed but not captured yet[/]");
                    }
                    break;
                }
                await Task.Delay(250);
            }
        }
        return (doubleCharges, chargedForNothing);
    }

    /// <summary>A product of the development merchant with exactly <paramref name="units"/> in stock; returns its SKU.</summary>
    private static async Task<string> SaleProductAsync(HttpClient merchant, int units)
    {
        var sku = $"FLASH-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        using var created = await merchant.PostAsJsonAsync("/api/catalog/products", new
        {
            title = "Flash Sale Console", description = "Limited stock, one per buyer.", brand = "Acme", category = "Electronics/Gaming",
            price = 99m, currency = "USD", variants = new[] { new { sku } },
        });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await merchant.PostAsync($"/api/catalog/products/{id}/publish", null)).EnsureSuccessStatusCode();
        (await merchant.PutAsJsonAsync($"/api/inventory/{sku}", new { onHand = units })).EnsureSuccessStatusCode();
        return sku;
    }

    /// <summary>
    /// The buyers: accounts registered through Identity's own registration page (kept in the data directory,
    /// so a second run reuses them), each with a token from the development client.
    /// </summary>
    private static async Task<List<Buyer>> BuyersAsync(RunningApp app, string dataDir, int count)
    {
        var file = Path.Combine(dataDir, "flash-buyers.txt");
        var emails = File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : [];
        var stopwatch = Stopwatch.StartNew();
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var registering = progress.AddTask("Buyers registered", maxValue: count);
            registering.Value = Math.Min(emails.Count, count);
            var missing = Enumerable.Range(emails.Count, Math.Max(0, count - emails.Count)).Select(i => $"flash.buyer.{i:D5}@marketplace.test").ToList();
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (email, ct) =>
            {
                await RegisterAsync(app, email);
                lock (emails)
                {
                    emails.Add(email);
                    File.AppendAllLines(file, [email]);
                }
                registering.Increment(1);
            });
        });
        // A sign-in is a password hash (about 80 ms of Identity's CPU): the tokens are kept in the data directory, an access
        // token still valid for this gateway is used as it is, and an expired one is renewed with its refresh token (no hash),
        // so only a buyer's first run pays for a sign-in.
        var tokens = BuyerTokens.Load(dataDir);
        var gateway = app.Client().BaseAddress!;
        int reused = 0, renewed = 0, signedIn = 0;
        var buyers = new ConcurrentBag<Buyer>();
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var signing = progress.AddTask("Buyers signed in", maxValue: count);
            await Parallel.ForEachAsync(emails.Take(count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (email, ct) =>
            {
                tokens.TryGetValue(email, out var token);
                if (token is not null && BuyerTokens.IsUsable(token.Access, gateway))
                {
                    Interlocked.Increment(ref reused);
                }
                else if (token?.Refresh is { } refresh && await app.RefreshAsync(refresh) is { } renewal)
                {
                    token = tokens[email] = new BuyerToken(renewal.Access, renewal.Refresh ?? refresh);
                    Interlocked.Increment(ref renewed);
                }
                else
                {
                    var signIn = await app.SignInForLongAsync(email);
                    token = tokens[email] = new BuyerToken(signIn.Access, signIn.Refresh);
                    Interlocked.Increment(ref signedIn);
                }
                buyers.Add(new Buyer(email, app.ClientWithToken(token.Access)));
                signing.Increment(1);
            });
        });
        BuyerTokens.Save(dataDir, tokens);
        AnsiConsole.MarkupLine($"{count} buyers ready in {stopwatch.Elapsed.TotalSeconds:F0} s (access tokens: {reused} reused from an earlier run, {renewed} renewed with a refresh token, {signedIn} from a password sign-in)");
        return [.. buyers];
    }

    private static async Task RegisterAsync(RunningApp app, string email)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = app.Gateway };
        var page = await client.GetStringAsync("/account/register");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using var response = await client.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.DisplayName"] = "Flash Buyer", ["Input.Email"] = email,
            ["Input.Password"] = "Pass123$", ["Input.ConfirmPassword"] = "Pass123$",
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Redirect && !body.Contains("already taken", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Registering {email} answered {(int)response.StatusCode}");
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    /// <summary>
    /// pgbench on the app's own PostgreSQL: one row, decremented while positive, by <paramref name="clients"/>
    /// clients for 20 s. The ceiling for "sell one unit of one SKU" on this machine; returns its tps.
    /// </summary>
    private static async Task<double> PgbenchAsync(RunningApp app, int clients)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(await app.ConnectionStringAsync("postgres"));
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = builder.Password!, ["PGHOST"] = builder.Host!, ["PGPORT"] = builder.Port.ToString(CultureInfo.InvariantCulture), ["PGUSER"] = builder.Username! };
        await RunAsync("psql", ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS flash_pgbench", "-c", "CREATE DATABASE flash_pgbench"], env);
        await RunAsync("psql", ["-d", "flash_pgbench", "-c", "CREATE TABLE stock (sku text PRIMARY KEY, available int NOT NULL CHECK (available >= 0)); INSERT INTO stock VALUES ('FLASH', 1000000000);"], env);
        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, "UPDATE stock SET available = available - 1 WHERE sku = 'FLASH' AND available > 0;\n");
        var output = await RunAsync("pgbench", ["-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", "20", "-f", script, "flash_pgbench"], env);
        File.Delete(script);
        var tps = Regex.Match(output, @"tps = ([0-9.]+) \(without initial connection time\)");
        return tps.Success ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException("pgbench printed no tps: " + output);
    }

    private static async Task<string> RunAsync(string program, string[] args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        // Both pipes at once: a program that fills one while we wait on the other would wait for ever.
        var outputRead = process.StandardOutput.ReadToEndAsync();
        var errorRead = process.StandardError.ReadToEndAsync();
        var (output, error) = (await outputRead, await errorRead);
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
    }
}
