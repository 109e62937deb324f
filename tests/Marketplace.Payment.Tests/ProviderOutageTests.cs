using Marketplace.Payment.Domain;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Payment.Tests;

/// <summary>Its own provider: the outage switch would disturb every other test sharing one.</summary>
public sealed class ProviderOutageTests(PaymentWorld world) : IClassFixture<PaymentWorld>
{
    [Fact]
    public async Task Outage_backs_off_without_events_and_authorizes_exactly_once_after_recovery()
    {
        var orderId = Guid.NewGuid();
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, null, Outage: true));
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 12m, "EUR", "pm_card_visa", DateTimeOffset.UtcNow));

        await world.PassAsync();
        var first = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.New, 1), (first.Status, first.Attempts));
        Assert.Contains("503", first.LastError);
        Assert.True(first.NextAttemptAt > first.UpdatedAt, "the retry waits");

        await WaitUntilDueAsync(orderId);
        await world.PassAsync();
        var second = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.New, 2), (second.Status, second.Attempts));
        Assert.True(second.NextAttemptAt - second.UpdatedAt > first.NextAttemptAt - first.UpdatedAt, "the backoff grows");
        Assert.Empty(await world.EventsAsync(orderId));
        Assert.Null(await world.ProviderLedgerAsync(orderId));

        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, null, Outage: false));
        await PaymentWorld.EventuallyAsync(async () =>
        {
            await WaitUntilDueAsync(orderId);
            await world.PassAsync();
            return (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Authorized;
        }, "the payment is authorized once the provider is back", TimeSpan.FromSeconds(30));

        Assert.IsType<PaymentAuthorized>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents);
        var payment = (await world.PaymentAsync(orderId))!;
        var keys = await world.WithDbAsync(db => db.PaymentOperations.Where(o => o.PaymentIntentId == payment.Id).Select(o => o.IdempotencyKey).Distinct().ToListAsync());
        Assert.Equal([$"{payment.Id}-authorize"], keys);
    }

    [Fact]
    public async Task Commands_are_handled_while_the_provider_is_down()
    {
        var orderId = Guid.NewGuid();
        await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, null, Outage: true));
        try
        {
            await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 5m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
            await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
            await world.SendAsync(new VoidPayment(orderId, "changed mind", DateTimeOffset.UtcNow));

            var payment = (await world.PaymentAsync(orderId))!;
            Assert.Equal((PaymentStatus.New, DesiredPaymentState.Captured), (payment.Status, payment.Desired));
        }
        finally
        {
            await world.SetProviderAsync(new SimulatorSettingsUpdate(null, null, null, null, Outage: false));
        }
    }

    private async Task WaitUntilDueAsync(Guid orderId)
    {
        var due = (await world.PaymentAsync(orderId))!.NextAttemptAt;
        var wait = due - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }
}
