using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.EndToEnd.Tests;

/// <summary>
/// Every endpoint of the public surface that exists × every kind of caller, with the status each must
/// get. Extend <see cref="Endpoints"/> as endpoints appear; the test prints how many cells it checked.
/// </summary>
public sealed class AuthorizationMatrixTests(MarketplaceAppFixture fixture)
{
    public enum Caller { Anonymous, Shopper, OtherShopper, Merchant, OtherMerchant, Admin }

    private static readonly Dictionary<Caller, string> Accounts = new()
    {
        [Caller.Shopper] = "shopper@marketplace.test",
        [Caller.OtherShopper] = "shopper2@marketplace.test",
        [Caller.Merchant] = "merchant@marketplace.test",
        [Caller.OtherMerchant] = "merchant2@marketplace.test",
        [Caller.Admin] = "admin@marketplace.test",
    };

    private sealed record Endpoint(HttpMethod Method, string Path, object? Body, Func<Caller, HttpStatusCode> Expected);

    private static HttpStatusCode Anyone(Caller _) => HttpStatusCode.OK;

    private static HttpStatusCode SignedIn(Caller c) => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.OK;

    private static IEnumerable<Endpoint> Endpoints(Guid productId) =>
    [
        new(HttpMethod.Get, "/api/catalog/products", null, Anyone),
        new(HttpMethod.Get, $"/api/catalog/products/{productId}", null, Anyone),
        new(HttpMethod.Get, "/api/search?q=phone", null, Anyone),
        new(HttpMethod.Get, "/api/users/me", null, SignedIn),
        new(HttpMethod.Put, "/api/users/me", new { }, SignedIn),
    ];

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_expected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = fixture.CreateRawClient("gateway");
        var first = (await anonymous.GetFromJsonAsync<JsonElement>("/api/catalog/products?pageSize=1", ct)).GetProperty("items")[0];
        var tokens = new Dictionary<Caller, string>();
        foreach (var (caller, account) in Accounts)
        {
            tokens[caller] = await fixture.TokenAsync(account);
        }

        var violations = new List<string>();
        var cells = 0;
        foreach (var endpoint in Endpoints(first.GetProperty("id").GetGuid()))
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var expected = endpoint.Expected(caller);
                var actual = await SendWithProfileRetryAsync(endpoint, caller, tokens, ct);
                cells++;
                if (actual != expected)
                {
                    violations.Add($"{endpoint.Method} {endpoint.Path} as {caller}: expected {(int)expected}, got {(int)actual}");
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"Authorization matrix: {cells} cells checked");
        Console.WriteLine($"Authorization matrix: {cells} cells checked, {violations.Count} violations");
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        Assert.Equal(Endpoints(Guid.Empty).Count() * Enum.GetValues<Caller>().Length, cells);
    }

    /// <summary>Profiles appear moments after the accounts are seeded; a 404 for one is waited out, nothing else is.</summary>
    private async Task<HttpStatusCode> SendWithProfileRetryAsync(Endpoint endpoint, Caller caller, Dictionary<Caller, string> tokens, CancellationToken ct)
    {
        using var client = fixture.CreateRawClient("gateway");
        if (tokens.TryGetValue(caller, out var token))
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var request = new HttpRequestMessage(endpoint.Method, endpoint.Path);
            if (endpoint.Body is not null)
            {
                request.Content = JsonContent.Create(endpoint.Body);
            }
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.NotFound || !endpoint.Path.StartsWith("/api/users/me", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return response.StatusCode;
            }
            await Task.Delay(500, ct);
        }
    }
}
