using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Payment.Domain;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;

namespace Marketplace.Payment.Tests;

public sealed class WebhookTests(PaymentWorld world) : IClassFixture<PaymentWorld>
{
    private async Task<(Guid OrderId, string IntentId)> ProcessingOrderAsync(string method = TestCards.Async)
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 30m, "USD", method, DateTimeOffset.UtcNow));
        await world.PassAsync();
        var payment = (await world.PaymentAsync(orderId))!;
        Assert.Equal(PaymentStatus.Processing, payment.Status);
        return (orderId, payment.ProviderIntentId!);
    }

    [Fact]
    public async Task Webhook_with_a_bad_signature_is_refused_and_changes_nothing()
    {
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, AsyncDelayMs: 60_000, null));
        var (orderId, intentId) = await ProcessingOrderAsync();
        var body = EventBody(intentId, orderId, IntentStatus.RequiresCapture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var refusals = new[]
        {
            await PostAsync(body, WebhookDispatcher.Sign("whsec_someone_else", now, body)),
            await PostAsync(body, WebhookDispatcher.Sign(PaymentWorld.WebhookSecret, now - 600, body)),
            await PostAsync(body, WebhookDispatcher.Sign(PaymentWorld.WebhookSecret, now, body.Replace("30", "31"))),
            await PostAsync(body, signature: null),
        };

        Assert.All(refusals, r => Assert.Equal((HttpStatusCode.Unauthorized, "application/problem+json"), (r.StatusCode, r.Content.Headers.ContentType?.MediaType)));
        Assert.Equal(PaymentStatus.Processing, (await world.PaymentAsync(orderId))!.Status);
        Assert.Empty(await world.EventsAsync(orderId));
        using var genuine = await PostAsync(body, WebhookDispatcher.Sign(PaymentWorld.WebhookSecret, now, body));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(PaymentStatus.Authorized, (await world.PaymentAsync(orderId))!.Status);
    }

    [Fact]
    public async Task Async_authorization_settled_by_the_providers_webhook_is_announced_once_even_when_delivered_again()
    {
        // Long enough to see it Processing first, short enough to wait for.
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, AsyncDelayMs: 1500, null));
        var (orderId, intentId) = await ProcessingOrderAsync();

        await PaymentWorld.EventuallyAsync(async () => (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Authorized,
            "the provider's own webhook settles the authorization");
        var intent = await RetrieveAsync(intentId);
        var body = JsonSerializer.Serialize(new ProviderEvent("evt_replayed", "event", "payment_intent.amount_capturable_updated",
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), new ProviderEventData(intent)), ProviderJson.Options);
        var signature = WebhookDispatcher.Sign(PaymentWorld.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body);
        var replays = await Task.WhenAll(PostAsync(body, signature), PostAsync(body, signature));
        await world.PassAsync();

        Assert.All(replays, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(PaymentStatus.Authorized, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentAuthorized>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents);
    }

    [Fact]
    public async Task Async_decline_settled_by_webhook_is_announced_as_PaymentDeclined()
    {
        // Long enough to see it Processing first, short enough to wait for.
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, AsyncDelayMs: 1500, null));
        var (orderId, _) = await ProcessingOrderAsync(TestCards.AsyncDeclined);

        await PaymentWorld.EventuallyAsync(async () => (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Declined,
            "the provider's webhook reports the decline");

        var declined = Assert.IsType<PaymentDeclined>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal("card_declined", declined.Reason);
    }

    [Fact]
    public async Task Async_charge_whose_authorization_a_webhook_settles_is_captured_and_announced_once()
    {
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, AsyncDelayMs: 1500, null));
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 30m, "USD", TestCards.Async, DateTimeOffset.UtcNow, CaptureNow: true));
        await world.PassAsync();
        Assert.Equal(PaymentStatus.Processing, (await world.PaymentAsync(orderId))!.Status);

        // The webhook says authorized; the processor, woken by that commit, captures.
        await PaymentWorld.EventuallyAsync(async () =>
        {
            await world.PassAsync();
            return (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Captured;
        }, "the provider's webhook settles the authorization and the capture follows");

        Assert.Equal(30m, (await world.PaymentAsync(orderId))!.CapturedAmount);
        Assert.IsType<PaymentCaptured>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal(1, (await world.ProviderLedgerAsync(orderId))!.SuccessfulCaptures);
    }

    private static string EventBody(string intentId, Guid orderId, string status) =>
        JsonSerializer.Serialize(new ProviderEvent("evt_forged", "event", "payment_intent.amount_capturable_updated",
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), new ProviderEventData(new IntentView(
                intentId, "payment_intent", 3000, 3000, 0, 0, "usd", status, TestCards.Async, "manual",
                new Dictionary<string, string> { ["order_id"] = orderId.ToString() }, 0, null))), ProviderJson.Options);

    private Task<HttpResponseMessage> PostAsync(string body, string? signature) => world.PostWebhookAsync(body, signature);

    private async Task<IntentView> RetrieveAsync(string intentId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/payment_intents/{intentId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PaymentWorld.ApiKey);
        using var response = await world.Provider.SendAsync(request, TestContext.Current.CancellationToken);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<IntentView>(ProviderJson.Options, TestContext.Current.CancellationToken))!;
    }
}

/// <summary>With no webhooks at all, Payment still learns asynchronous outcomes by asking the provider.</summary>
public sealed class AsyncWithoutWebhookTests(SilentProviderWorld world) : IClassFixture<SilentProviderWorld>
{
    [Fact]
    public async Task Processing_authorization_with_no_webhook_is_settled_by_asking_the_provider()
    {
        // The class shares one provider with the void test, which stretches the delay to a minute.
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, AsyncDelayMs: 300, null));
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 8m, "USD", TestCards.Async, DateTimeOffset.UtcNow));
        await world.PassAsync();
        var processing = (await world.PaymentAsync(orderId))!;
        Assert.Equal(PaymentStatus.Processing, processing.Status);
        Assert.True(processing.NextAttemptAt - processing.UpdatedAt >= TimeSpan.FromSeconds(1), "the provider is asked again only after the recheck delay");

        await PaymentWorld.EventuallyAsync(async () =>
        {
            await world.PassAsync();
            return (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Authorized;
        }, "a recheck finds the authorization");

        Assert.IsType<PaymentAuthorized>(Assert.Single(await world.EventsAsync(orderId)));
    }

    [Fact]
    public async Task Void_while_the_authorization_is_processing_cancels_it_at_the_provider()
    {
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, AsyncDelayMs: 60_000, null));
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 8m, "USD", TestCards.Async, DateTimeOffset.UtcNow));
        await world.PassAsync();

        await world.SendAsync(new VoidPayment(orderId, "buyer cancelled", DateTimeOffset.UtcNow));
        await world.PassAsync();

        Assert.Equal(PaymentStatus.Voided, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentVoided>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal(IntentStatus.Canceled, Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents).Status);
    }
}
