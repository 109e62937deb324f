using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Marketplace.Fuzz.Tests;

/// <summary>
/// Malformed requests to every public operation, generated from each service's OpenAPI document and sent through
/// the gateway as each kind of caller: the server never fails (no 5xx, no dropped connection), every refusal is a
/// problem document, and the requests that must be refused change nothing in any store.
/// </summary>
public sealed class ApiFuzzTests(FuzzApp app)
{
    /// <summary>
    /// Cases per operation and caller; <c>MARKETPLACE_FUZZ_SCALE</c> multiplies it (<c>eng/fuzz.sh --long</c>: 10), the
    /// schema's variants topped up with randomly damaged requests.
    /// </summary>
    private const int CasesPerOperation = 20;

    private const int Seed = 20261207;

    private static readonly (string Name, string? Account)[] Callers =
        [("anonymous", null), ("shopper", "shopper@marketplace.test"), ("merchant", "merchant@marketplace.test"), ("admin", "admin@marketplace.test")];

    private static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("MARKETPLACE_FUZZ_SCALE"), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

    [Fact]
    public async Task Malformed_requests_through_the_gateway_are_refused_with_a_problem_and_change_nothing()
    {
        var operations = new List<ApiOperation>();
        foreach (var service in FuzzApp.Services)
        {
            using var client = app.Service(service);
            using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
            operations.AddRange(ApiOperation.Read(service, JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!));
        }
        Assert.True(operations.Count > 30, $"only {operations.Count} operations were described");

        var tokens = new Dictionary<string, string?>();
        foreach (var (name, account) in Callers)
        {
            tokens[name] = account is null ? null : await app.TokenAsync(account);
        }

        var random = new Random(Seed);
        // The long mode tops every operation and caller up to its larger share with randomly damaged requests
        // (the schema's own variants run out first): ten times the cases of the CI size.
        var plan = (from op in operations
                    from caller in Callers
                    from fuzzCase in Planned(op, CasesPerOperation * Scale, random)
                    select (Caller: caller.Name, Case: fuzzCase)).ToList();
        var mustRefuse = plan.Where(p => p.Case.MustRefuse).ToList();
        var edge = plan.Where(p => !p.Case.MustRefuse).ToList();

        var before = await StoreDigest.SettledAsync(app, TimeSpan.FromSeconds(90));
        var results = new ConcurrentBag<Outcome>();
        await SendAllAsync(mustRefuse, tokens, results);
        // Anything a request set off travels through the outbox and the broker within moments.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        var after = await StoreDigest.TakeAsync(app);
        var changed = StoreDigest.Differences(before, after).ToList();
        await SendAllAsync(edge, tokens, results);

        var report = Report(results, operations);
        Console.WriteLine(report);
        TestContext.Current.SendDiagnosticMessage(report);
        var failures = results.Where(r => r.Failure is not null).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {results.Count} cases failed:{Environment.NewLine}" +
            string.Join(Environment.NewLine, failures.Take(60).Select(f => $"{f.Caller} {f.Case.Operation} [{f.Case.Flaw}] → {f.Failure}")));
        Assert.True(changed.Count == 0, "requests that must be refused changed the stores: " + string.Join(", ", changed));
        Assert.Contains(results, r => r.Status is >= 400 and < 500);
    }

    private sealed record Outcome(string Caller, FuzzCase Case, int Status, string? Failure);

    private async Task SendAllAsync(List<(string Caller, FuzzCase Case)> plan, Dictionary<string, string?> tokens, ConcurrentBag<Outcome> results)
    {
        using var gateway = app.Gateway();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken }, async (item, ct) =>
        {
            using var request = item.Case.Build();
            if (tokens[item.Caller] is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            try
            {
                // Headers first: a live event stream that accepted an edge request answers 200 and then never ends.
                using var response = await gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                {
                    await response.Content.LoadIntoBufferAsync(ct); // every other answer must arrive whole
                }
                var status = (int)response.StatusCode;
                var failure = item.Case.MustRefuse && status is >= 200 and < 300 ? $"{status}: accepted a request that must be refused" : await JudgeAsync(response, ct);
                results.Add(new Outcome(item.Caller, item.Case, status, failure));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                results.Add(new Outcome(item.Caller, item.Case, 0, $"no answer: {e.GetType().Name} {e.Message} {e.InnerException?.Message}"));
            }
        });
    }

    /// <summary>Null when the answer is acceptable for a malformed request, else what is wrong with it.</summary>
    private static async Task<string?> JudgeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            return $"{status}: {body[..Math.Min(body.Length, 300)]}";
        }
        if (status is >= 400 and < 500)
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            // Kestrel itself refuses a request line or headers it cannot parse before any application code runs:
            // an empty answer that the server alone gives (414, 431, or a 400 with no body).
            var fromServer = status is 414 or 431 || (status == 400 && response.Content.Headers.ContentLength == 0 && !response.Headers.Contains("X-Correlation-Id"));
            if (mediaType != "application/problem+json" && !fromServer)
            {
                return $"{status} answered as {mediaType ?? "no content type"}, not application/problem+json";
            }
        }
        return null;
    }

    private static List<FuzzCase> Planned(ApiOperation op, int count, Random random)
    {
        var cases = Sample(MalformedRequests.For(op).ToList(), count, random).ToList();
        if (Scale > 1 && cases.Count < count)
        {
            cases.AddRange(MalformedRequests.RandomlyDamaged(op, random, count - cases.Count));
        }
        return cases;
    }

    private static IEnumerable<FuzzCase> Sample(List<FuzzCase> cases, int count, Random random)
    {
        if (cases.Count <= count)
        {
            return cases;
        }
        var picked = cases.ToArray();
        random.Shuffle(picked);
        return picked.Take(count);
    }

    private static string Report(IEnumerable<Outcome> results, List<ApiOperation> operations)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"API fuzz (seed {Seed}, scale {Scale}): {operations.Count} operations");
        foreach (var service in results.GroupBy(r => r.Case.Operation.Service).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var statuses = string.Join(", ", service.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key)}: {g.Count()}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"  {service.Key,-13} {service.Count(),6} cases  {statuses}");
        }
        var all = results.ToList();
        text.Append(CultureInfo.InvariantCulture, $"  {"total",-13} {all.Count,6} cases  5xx: {all.Count(r => r.Status >= 500)}, no answer: {all.Count(r => r.Status == 0)}");
        return text.ToString();
    }
}
