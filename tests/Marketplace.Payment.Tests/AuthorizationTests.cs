using Marketplace.Payment.Domain;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;

namespace Marketplace.Payment.Tests;

public sealed class AuthorizationTests(PaymentWorld world) : IClassFixture<PaymentWorld>
{
    private static AuthorizePayment Authorize(Guid orderId, string method = "pm_card_visa", decimal amount = 42.50m) =>
        new(orderId, Guid.NewGuid(), amount, "USD", method, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Approved_card_is_authorized_once_and_PaymentAuthorized_is_in_the_outbox()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Authorize(orderId));

        await world.PassAsync();

        var payment = await world.PaymentAsync(orderId);
        Assert.Equal(PaymentStatus.Authorized, payment!.Status);
        Assert.StartsWith("pi_", payment.ProviderIntentId);
        var authorized = Assert.IsType<PaymentAuthorized>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal(payment.Id, authorized.PaymentId);
        Assert.Equal(42.50m, authorized.Amount);
        var ledger = await world.ProviderLedgerAsync(orderId);
        var intent = Assert.Single(ledger!.Intents);
        Assert.Equal((IntentStatus.RequiresCapture, 4250L), (intent.Status, intent.Amount));
    }

    [Fact]
    public async Task Declined_card_is_recorded_as_declined_with_the_providers_reason()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Authorize(orderId, TestCards.Declined));

        await world.PassAsync();
        await world.PassAsync(); // a declined payment has nothing left to do

        var payment = await world.PaymentAsync(orderId);
        Assert.Equal((PaymentStatus.Declined, "card_declined"), (payment!.Status, payment.DeclineReason));
        var declined = Assert.IsType<PaymentDeclined>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Equal("card_declined", declined.Reason);
        Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents);
    }

    [Fact]
    public async Task Same_AuthorizePayment_handled_twice_creates_one_payment_and_one_provider_intent()
    {
        var orderId = Guid.NewGuid();
        var message = Authorize(orderId);
        await world.SendAsync(message);
        await world.SendAsync(message with { OccurredAt = DateTimeOffset.UtcNow });

        await world.PassAsync();
        await world.PassAsync();

        Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents);
        Assert.IsType<PaymentAuthorized>(Assert.Single(await world.EventsAsync(orderId)));
    }

    [Fact]
    public async Task Void_before_authorize_leaves_a_tombstone_and_the_provider_never_hears_of_the_order()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new VoidPayment(orderId, "stock unavailable", DateTimeOffset.UtcNow));
        await world.SendAsync(Authorize(orderId));

        await world.PassAsync();

        var payment = await world.PaymentAsync(orderId);
        Assert.Equal((PaymentStatus.Voided, 0m), (payment!.Status, payment.Amount));
        Assert.IsType<PaymentVoided>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Null(await world.ProviderLedgerAsync(orderId));
    }

    [Fact]
    public async Task Void_after_authorization_cancels_the_intent_and_a_late_capture_changes_nothing()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Authorize(orderId));
        await world.PassAsync();

        await world.SendAsync(new VoidPayment(orderId, "cancelled by buyer", DateTimeOffset.UtcNow));
        await world.PassAsync();
        await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
        await world.PassAsync();

        Assert.Equal(PaymentStatus.Voided, (await world.PaymentAsync(orderId))!.Status);
        Assert.Collection(await world.EventsAsync(orderId),
            e => Assert.IsType<PaymentAuthorized>(e),
            e => Assert.IsType<PaymentVoided>(e));
        var ledger = await world.ProviderLedgerAsync(orderId);
        Assert.Equal((IntentStatus.Canceled, 0), (Assert.Single(ledger!.Intents).Status, ledger.SuccessfulCaptures));
    }

    [Fact]
    public async Task Void_of_a_declined_payment_answers_PaymentVoided_without_calling_the_provider_again()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(Authorize(orderId, TestCards.Declined));
        await world.PassAsync();

        await world.SendAsync(new VoidPayment(orderId, "payment failed", DateTimeOffset.UtcNow));
        await world.PassAsync();

        Assert.Equal(PaymentStatus.Declined, (await world.PaymentAsync(orderId))!.Status);
        Assert.Equal(IntentStatus.RequiresPaymentMethod, Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents).Status);
        Assert.Collection(await world.EventsAsync(orderId),
            e => Assert.IsType<PaymentDeclined>(e),
            e => Assert.IsType<PaymentVoided>(e));
    }

    [Fact]
    public async Task Authorization_request_no_provider_could_accept_is_declined_without_a_call()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 10.001m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));

        await world.PassAsync();

        var payment = await world.PaymentAsync(orderId);
        Assert.Equal((PaymentStatus.Declined, "invalid_amount_precision"), (payment!.Status, payment.DeclineReason));
        Assert.IsType<PaymentDeclined>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Null(await world.ProviderLedgerAsync(orderId));
    }
}
