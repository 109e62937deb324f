using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.PaymentProvider;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Marketplace.Payment.Tests;

/// <summary>The simulator on its own: the provider behaviour Payment's correctness leans on.</summary>
public sealed class ProviderSimulatorTests(ProviderSimulatorTests.Simulator simulator) : IClassFixture<ProviderSimulatorTests.Simulator>
{
    private const string ApiKey = "sk_test_simulator";

    [Fact]
    public async Task Same_idempotency_key_replays_the_first_response_exactly()
    {
        var orderId = Guid.NewGuid();
        var key = NewKey();

        using var first = await CreateAsync(orderId, key);
        using var second = await CreateAsync(orderId, key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("true", second.Headers.GetValues(IdempotencyStore.ReplayedHeader).Single());
        Assert.Single((await LedgerAsync(orderId)).Intents);
    }

    [Fact]
    public async Task Declined_card_is_replayed_as_the_same_decline()
    {
        var orderId = Guid.NewGuid();
        var key = NewKey();

        using var first = await CreateAsync(orderId, key, TestCards.Declined);
        using var second = await CreateAsync(orderId, key, TestCards.Declined);

        Assert.Equal((HttpStatusCode.PaymentRequired, HttpStatusCode.PaymentRequired), (first.StatusCode, second.StatusCode));
        var error = (await second.Content.ReadFromJsonAsync<ErrorBody>(ProviderJson.Options, TestContext.Current.CancellationToken))!.Error;
        Assert.Equal(("card_error", "card_declined", IntentStatus.RequiresPaymentMethod), (error.Type, error.Code, error.PaymentIntent!.Status));
        Assert.Single((await LedgerAsync(orderId)).Intents);
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_refused_and_changes_nothing()
    {
        var orderId = Guid.NewGuid();
        var key = NewKey();
        using var first = await CreateAsync(orderId, key, amount: 1000);

        using var different = await CreateAsync(orderId, key, amount: 2000);

        Assert.Equal(HttpStatusCode.BadRequest, different.StatusCode);
        var error = (await different.Content.ReadFromJsonAsync<ErrorBody>(ProviderJson.Options, TestContext.Current.CancellationToken))!.Error;
        Assert.Equal("idempotency_error", error.Type);
        Assert.Equal(1000, Assert.Single((await LedgerAsync(orderId)).Intents).Amount);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_intent()
    {
        var orderId = Guid.NewGuid();
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CreateAsync(orderId, key)));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Single((await LedgerAsync(orderId)).Intents);
    }

    [Fact]
    public async Task Second_capture_of_an_intent_is_refused_and_the_ledger_shows_one()
    {
        var orderId = Guid.NewGuid();
        var intent = await IntentAsync(await CreateAsync(orderId, NewKey()));

        using var captured = await PostAsync($"/v1/payment_intents/{intent.Id}/capture", new { }, NewKey());
        using var again = await PostAsync($"/v1/payment_intents/{intent.Id}/capture", new { }, NewKey());

        Assert.Equal(HttpStatusCode.OK, captured.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        var error = (await again.Content.ReadFromJsonAsync<ErrorBody>(ProviderJson.Options, TestContext.Current.CancellationToken))!.Error;
        Assert.Equal(("payment_intent_unexpected_state", IntentStatus.Succeeded), (error.Code, error.PaymentIntent!.Status));
        var ledger = await LedgerAsync(orderId);
        Assert.Equal((1, 5000L), (ledger.SuccessfulCaptures, ledger.CapturedTotal));
    }

    [Fact]
    public async Task Refunds_never_add_up_to_more_than_was_captured()
    {
        var orderId = Guid.NewGuid();
        var intent = await IntentAsync(await CreateAsync(orderId, NewKey()));
        using var capture = await PostAsync($"/v1/payment_intents/{intent.Id}/capture", new { amount_to_capture = 3000 }, NewKey());

        using var part = await PostAsync("/v1/refunds", new { payment_intent = intent.Id, amount = 2000 }, NewKey());
        using var tooMuch = await PostAsync("/v1/refunds", new { payment_intent = intent.Id, amount = 1001 }, NewKey());
        using var rest = await PostAsync("/v1/refunds", new { payment_intent = intent.Id }, NewKey());
        using var more = await PostAsync("/v1/refunds", new { payment_intent = intent.Id, amount = 1 }, NewKey());

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.BadRequest],
            new[] { part, tooMuch, rest, more }.Select(r => r.StatusCode));
        var ledger = await LedgerAsync(orderId);
        Assert.Equal((3000L, 3000L), (ledger.CapturedTotal, ledger.RefundedTotal));
    }

    [Fact]
    public async Task Cancel_is_refused_once_the_intent_is_captured()
    {
        var intent = await IntentAsync(await CreateAsync(Guid.NewGuid(), NewKey()));
        using var capture = await PostAsync($"/v1/payment_intents/{intent.Id}/capture", new { }, NewKey());

        using var cancel = await PostAsync($"/v1/payment_intents/{intent.Id}/cancel", new { }, NewKey());

        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
    }

    [Fact]
    public async Task Calls_without_the_api_key_or_an_idempotency_key_are_refused()
    {
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "/v1/payment_intents") { Content = JsonContent.Create(new { amount = 100 }) };
        anonymous.Headers.Add("Idempotency-Key", NewKey());
        using var noKey = new HttpRequestMessage(HttpMethod.Post, "/v1/payment_intents") { Content = JsonContent.Create(new { amount = 100 }) };
        noKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

        using var unauthorized = await simulator.Client.SendAsync(anonymous, TestContext.Current.CancellationToken);
        using var missingKey = await simulator.Client.SendAsync(noKey, TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest), (unauthorized.StatusCode, missingKey.StatusCode));
    }

    [Fact]
    public async Task Outage_answers_503_and_leaves_the_key_free_for_the_retry()
    {
        var orderId = Guid.NewGuid();
        var key = NewKey();
        await SetOutageAsync(true);
        HttpResponseMessage during;
        try
        {
            during = await CreateAsync(orderId, key);
        }
        finally
        {
            await SetOutageAsync(false);
        }

        using var after = await CreateAsync(orderId, key);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (during.StatusCode, after.StatusCode));
        Assert.False(after.Headers.Contains(IdempotencyStore.ReplayedHeader));
        Assert.Single((await LedgerAsync(orderId)).Intents);
        during.Dispose();
    }

    [Fact]
    public async Task Settings_outside_their_range_are_refused_naming_each_field()
    {
        using var response = await simulator.Client.PutAsJsonAsync("/sim/settings", new { declineRate = 1.5, latencyMs = -1 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["declineRate", "latencyMs"], fields);
    }

    private Task<HttpResponseMessage> CreateAsync(Guid orderId, string key, string method = "pm_card_visa", long amount = 5000) =>
        PostAsync("/v1/payment_intents", new
        {
            amount, currency = "usd", payment_method = method, capture_method = "manual",
            metadata = new Dictionary<string, string> { ["order_id"] = orderId.ToString() },
        }, key);

    private async Task<HttpResponseMessage> PostAsync(string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        request.Headers.Add("Idempotency-Key", key);
        return await simulator.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<IntentView> IntentAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<IntentView>(ProviderJson.Options, TestContext.Current.CancellationToken))!;
        }
    }

    private async Task<OrderLedger> LedgerAsync(Guid orderId) =>
        (await simulator.Client.GetFromJsonAsync<OrderLedger>($"/sim/orders/{orderId}", TestContext.Current.CancellationToken))!;

    private async Task SetOutageAsync(bool outage)
    {
        using var response = await simulator.Client.PutAsJsonAsync("/sim/settings", new { outage }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static string NewKey() => Guid.NewGuid().ToString();

    public sealed class Simulator : WebApplicationFactory<PaymentBook>
    {
        public HttpClient Client => field ??= CreateClient();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("PaymentProvider:ApiKey", ApiKey);
            builder.UseSetting("PaymentProvider:LatencyMs", "0");
        }
    }
}
