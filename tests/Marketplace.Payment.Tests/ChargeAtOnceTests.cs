using Marketplace.Payment.Domain;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Payment.Tests;

/// <summary>
/// A payment asked with <c>CaptureNow</c> (what the saga asks once the stock is held): one pass authorizes and captures,
/// and the saga hears one answer; a void that comes for it gives back whatever was taken, and takes nothing it had not.
/// </summary>
public sealed class ChargeAtOnceTests(SilentProviderWorld world) : IClassFixture<SilentProviderWorld>
{
    internal static AuthorizePayment Charge(Guid orderId, decimal amount = 30m, string card = "pm_card_visa") =>
        new(orderId, Guid.NewGuid(), amount, "USD", card, DateTimeOffset.UtcNow, CaptureNow: true);

    [Fact]
    public async Task A_charge_is_authorized_and_captured_in_one_pass_and_announces_only_the_capture()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Charge(orderId, 30m));

        await world.PassAsync();
        await world.PassAsync(); // nothing is left to do: no second round

        var payment = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.Captured, 30m, true), (payment.Status, payment.CapturedAmount, payment.CaptureAtOnce));
        var captured = Assert.IsType<PaymentCaptured>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal(30m, captured.Amount);
        var ledger = (await world.ProviderLedgerAsync(orderId))!;
        Assert.Equal((1, 3000L), (ledger.SuccessfulCaptures, ledger.CapturedTotal));
        var operations = await world.WithDbAsync(db => db.PaymentOperations.AsNoTracking().Where(o => o.PaymentIntentId == payment.Id).OrderBy(o => o.At).ToListAsync());
        Assert.Equal(["authorize", "capture"], operations.Select(o => o.Kind));
    }

    [Fact]
    public async Task A_declined_charge_takes_nothing_and_says_declined()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Charge(orderId, card: "pm_card_declined"));

        await world.PassAsync();

        Assert.Equal(PaymentStatus.Declined, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentDeclined>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal(0L, (await world.ProviderLedgerAsync(orderId))!.CapturedTotal);
    }

    [Fact]
    public async Task A_void_after_the_charge_refunds_it_once()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Charge(orderId, 12.5m));
        await world.PassAsync();

        await world.SendAsync(new VoidPayment(orderId, "the hold expired", DateTimeOffset.UtcNow));
        await world.SendAsync(new RefundPayment(orderId, "the hold expired", DateTimeOffset.UtcNow));
        await world.PassAsync();
        await world.PassAsync();

        var payment = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.Refunded, 12.5m, 12.5m), (payment.Status, payment.CapturedAmount, payment.RefundedAmount));
        Assert.Collection(await world.EventsAsync(orderId), e => Assert.IsType<PaymentCaptured>(e), e => Assert.IsType<PaymentRefunded>(e));
        var ledger = (await world.ProviderLedgerAsync(orderId))!;
        Assert.Equal((1250L, 1250L), (ledger.CapturedTotal, ledger.RefundedTotal));
    }

    [Fact]
    public async Task A_void_before_any_provider_call_settles_without_charging()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Charge(orderId));
        await world.SendAsync(new VoidPayment(orderId, "cancelled by the shopper", DateTimeOffset.UtcNow));

        await world.PassAsync();

        Assert.Equal(PaymentStatus.Voided, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentVoided>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Null(await world.ProviderLedgerAsync(orderId));
    }

    [Fact]
    public async Task A_charge_resolved_later_by_the_provider_is_captured_once_the_authorization_is_known()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Charge(orderId, card: "pm_card_async"));
        await world.PassAsync();
        Assert.Equal(PaymentStatus.Processing, (await world.PaymentAsync(orderId))!.Status);

        await PaymentWorld.EventuallyAsync(async () => (await world.ProviderLedgerAsync(orderId))!.Intents.Single().Status == IntentStatus.RequiresCapture,
            "the provider resolves the authorization");
        await world.DueNowAsync(orderId);
        await world.PassAsync(); // asks the provider: authorized, which a charge does not announce
        await world.PassAsync(); // captures

        Assert.Equal(PaymentStatus.Captured, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentCaptured>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal(1, (await world.ProviderLedgerAsync(orderId))!.SuccessfulCaptures);
    }
}

/// <summary>Its own provider: the outage switch (and the breaker it opens in Payment's client) would disturb every other test sharing one.</summary>
public sealed class ChargeDuringOutageTests(SilentProviderWorld world) : IClassFixture<SilentProviderWorld>
{
    [Fact]
    public async Task A_charge_the_saga_gave_up_on_while_the_provider_was_unreachable_takes_no_money()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(ChargeAtOnceTests.Charge(orderId, 20m));
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, null, Outage: true));
        await world.PassAsync();
        await world.DueNowAsync(orderId);
        await world.PassAsync(); // two attempts made: the provider may know the charge

        await world.SendAsync(new VoidPayment(orderId, "the payment was not answered in time", DateTimeOffset.UtcNow));
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, null, Outage: false));
        // The client's circuit breaker may have opened during the outage: passes go on until it lets calls through.
        await PaymentWorld.EventuallyAsync(async () =>
        {
            await world.DueNowAsync(orderId);
            await world.PassAsync();
            return (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Voided;
        }, "the charge is found, only authorized, and cancelled", TimeSpan.FromSeconds(30));

        Assert.IsType<PaymentVoided>(Assert.Single(await world.EventsAsync(orderId)));
        var ledger = (await world.ProviderLedgerAsync(orderId))!;
        Assert.Equal((0, 0L), (ledger.SuccessfulCaptures, ledger.CapturedTotal));
    }
}

/// <summary>Its own provider, with webhooks and a slow answer (the latency switch would slow every other test sharing one).</summary>
public sealed class ChargeWithWebhookTests(PaymentWorld world) : IClassFixture<PaymentWorld>
{
    [Fact]
    public Task The_authorizations_webhook_during_the_pass_is_left_to_the_pass_which_stores_both_answers() =>
        ChargeWhileTheCaptureWaitsAsync(40m, async (orderId, authorized) =>
        {
            using var webhook = await PostWebhookAsync(authorized);
            Assert.Equal(System.Net.HttpStatusCode.OK, webhook.StatusCode);
            Assert.Equal(PaymentStatus.New, (await world.PaymentAsync(orderId))!.Status); // acknowledged, not applied: the pass stores it
        });

    [Fact]
    public Task A_charge_whose_authorization_a_webhook_stored_first_is_still_captured_in_the_same_pass() =>
        ChargeWhileTheCaptureWaitsAsync(25m, async (orderId, authorized) =>
        {
            // The pass outlives its lease (a slow provider): the authorization's news is then stored by the webhook, first.
            await world.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE payment_intents SET lease_until = now() - interval '1 second' WHERE order_id = {orderId}", TestContext.Current.CancellationToken));
            using var webhook = await PostWebhookAsync(authorized);
            Assert.Equal(System.Net.HttpStatusCode.OK, webhook.StatusCode);
            Assert.Equal(PaymentStatus.Authorized, (await world.PaymentAsync(orderId))!.Status);
        });

    /// <summary>
    /// A charge whose pass is held up by a slow provider: <paramref name="whileCapturing"/> runs once the provider has
    /// authorized and while the pass still waits for the capture's answer; then the pass must have charged once.
    /// </summary>
    private async Task ChargeWhileTheCaptureWaitsAsync(decimal amount, Func<Guid, IntentView, Task> whileCapturing)
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(ChargeAtOnceTests.Charge(orderId, amount));
        // Slow enough for the steps in between to happen while the capture call waits, even on a busy machine.
        await world.SetProviderAsync(new SimulatorSettingsUpdate(LatencyMs: 3000, null, null, null, null));

        var pass = world.PassAsync();
        IntentView? authorized = null;
        await PaymentWorld.EventuallyAsync(async () => (authorized = (await world.ProviderLedgerAsync(orderId))?.Intents
            .FirstOrDefault(i => i.Status == IntentStatus.RequiresCapture)) is not null, "the provider authorizes");
        await whileCapturing(orderId, authorized!);
        Assert.False(pass.IsCompleted);
        Assert.Equal(1, await pass);
        await world.SetProviderAsync(new SimulatorSettingsUpdate(LatencyMs: 0, null, null, null, null));

        Assert.Equal(0, await world.PassAsync()); // the capture was stored by the first pass: nothing is left to repeat
        var payment = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.Captured, amount), (payment.Status, payment.CapturedAmount));
        Assert.IsType<PaymentCaptured>(Assert.Single(await world.EventsAsync(orderId)));
        var operations = await world.WithDbAsync(db => db.PaymentOperations.AsNoTracking().Where(o => o.PaymentIntentId == payment.Id).OrderBy(o => o.At).ToListAsync());
        Assert.Equal(["authorize", "capture"], operations.Select(o => o.Kind));
        Assert.Equal(1, (await world.ProviderLedgerAsync(orderId))!.SuccessfulCaptures);
    }

    private Task<HttpResponseMessage> PostWebhookAsync(IntentView intent)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new ProviderEvent($"evt_{Guid.NewGuid():N}", "event", "payment_intent.amount_capturable_updated",
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), new ProviderEventData(intent)), ProviderJson.Options);
        return world.PostWebhookAsync(body, WebhookDispatcher.Sign(PaymentWorld.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
    }
}
