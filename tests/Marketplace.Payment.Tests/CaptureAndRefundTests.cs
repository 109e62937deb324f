using System.Net;
using Marketplace.Payment.Domain;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Marketplace.Payment.Tests;

/// <summary>
/// Captures and refunds, one pass at a time. The provider sends no webhooks here: an authorization's webhook arrives a
/// moment after the pass that stored it, and while its handler holds the payment's row lock a pass claiming due rows
/// (<c>FOR UPDATE SKIP LOCKED</c>) skips that row, so a test's single pass after <c>CapturePayment</c> could capture
/// nothing (a CI run did: the refund then voided the uncaptured payment). Webhooks have tests of their own.
/// </summary>
public sealed class CaptureAndRefundTests(SilentProviderWorld world) : IClassFixture<SilentProviderWorld>
{
    private async Task<Guid> AuthorizedOrderAsync(decimal amount = 99.99m)
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), amount, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
        await world.PassAsync();
        Assert.Equal(PaymentStatus.Authorized, (await world.PaymentAsync(orderId))!.Status);
        return orderId;
    }

    [Fact]
    public async Task Twenty_concurrent_capture_requests_and_passes_capture_once_at_the_provider()
    {
        var orderId = await AuthorizedOrderAsync();

        var captures = Enumerable.Range(0, 20).Select(_ => world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow)));
        var passes = Enumerable.Range(0, 20).Select(_ => world.PassAsync());
        await Task.WhenAll(captures.Cast<Task>().Concat(passes));
        await world.PassAsync(); // for captures that committed after the last concurrent pass looked

        var payment = await world.PaymentAsync(orderId);
        Assert.Equal((PaymentStatus.Captured, 99.99m), (payment!.Status, payment.CapturedAmount));
        var ledger = await world.ProviderLedgerAsync(orderId);
        Assert.Equal((1, 9999L), (ledger!.SuccessfulCaptures, ledger.CapturedTotal));
        Assert.Single(ledger.Intents);
        var captured = Assert.Single((await world.EventsAsync(orderId)).OfType<PaymentCaptured>());
        Assert.Equal(99.99m, captured.Amount);
    }

    [Fact]
    public async Task Refund_gives_back_the_whole_capture_once_and_never_more()
    {
        var orderId = await AuthorizedOrderAsync(25m);
        await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
        await world.PassAsync();

        await world.SendAsync(new RefundPayment(orderId, "returned", DateTimeOffset.UtcNow));
        await world.PassAsync();
        await world.SendAsync(new RefundPayment(orderId, "returned again", DateTimeOffset.UtcNow));
        await world.PassAsync();

        var payment = await world.PaymentAsync(orderId);
        Assert.Equal((PaymentStatus.Refunded, 25m, 25m), (payment!.Status, payment.CapturedAmount, payment.RefundedAmount));
        var refunded = Assert.Single((await world.EventsAsync(orderId)).OfType<PaymentRefunded>());
        Assert.Equal(25m, refunded.Amount);
        var ledger = await world.ProviderLedgerAsync(orderId);
        Assert.Equal((2500L, 2500L), (ledger!.CapturedTotal, ledger.RefundedTotal));

        // Both books refuse a refund beyond the capture: our database's check and the provider.
        var tooMuch = await Assert.ThrowsAsync<PostgresException>(() => world.WithDbAsync(db =>
            db.Database.ExecuteSqlAsync($"UPDATE payment_intents SET refunded_amount = captured_amount + 0.01 WHERE order_id = {orderId}")));
        Assert.Equal(PostgresErrorCodes.CheckViolation, tooMuch.SqlState);
        using var refused = await world.ProviderPostAsync("/v1/refunds", new { payment_intent = payment.ProviderIntentId, amount = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(2500L, (await world.ProviderLedgerAsync(orderId))!.RefundedTotal);
    }

    [Fact]
    public async Task Capture_above_the_authorized_amount_is_refused_by_the_database()
    {
        var orderId = await AuthorizedOrderAsync(10m);

        var error = await Assert.ThrowsAsync<PostgresException>(() => world.WithDbAsync(db =>
            db.Database.ExecuteSqlAsync($"UPDATE payment_intents SET captured_amount = 10.01 WHERE order_id = {orderId}")));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task Refund_before_capture_voids_the_authorization()
    {
        var orderId = await AuthorizedOrderAsync();

        await world.SendAsync(new RefundPayment(orderId, "cancelled", DateTimeOffset.UtcNow));
        await world.PassAsync();

        Assert.Equal(PaymentStatus.Voided, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentVoided>((await world.EventsAsync(orderId)).Last());
        var ledger = await world.ProviderLedgerAsync(orderId);
        Assert.Equal((IntentStatus.Canceled, 0L, 0L), (Assert.Single(ledger!.Intents).Status, ledger.CapturedTotal, ledger.RefundedTotal));
    }

    [Fact]
    public async Task Every_provider_call_is_kept_with_its_idempotency_key()
    {
        var orderId = await AuthorizedOrderAsync();
        await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
        await world.PassAsync();

        var payment = await world.PaymentAsync(orderId);
        var operations = await world.WithDbAsync(db => db.PaymentOperations.AsNoTracking()
            .Where(o => o.PaymentIntentId == payment!.Id).OrderBy(o => o.At).ToListAsync());

        Assert.Collection(operations,
            o => Assert.Equal(("authorize", $"{payment!.Id}-authorize", 200), (o.Kind, o.IdempotencyKey!, o.HttpStatus!.Value)),
            o => Assert.Equal(("capture", $"{payment!.Id}-capture", 200), (o.Kind, o.IdempotencyKey!, o.HttpStatus!.Value)));
    }

    [Fact]
    public async Task Capture_of_an_authorization_the_provider_no_longer_holds_ends_voided_and_says_so()
    {
        var orderId = await AuthorizedOrderAsync();
        var payment = (await world.PaymentAsync(orderId))!;
        using var expired = await world.ProviderPostAsync($"/v1/payment_intents/{payment.ProviderIntentId}/cancel", new { });

        await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
        await world.PassAsync();
        await world.PassAsync(); // a voided payment has nothing left to do

        var settled = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.Voided, 0m), (settled.Status, settled.CapturedAmount));
        Assert.Collection(await world.EventsAsync(orderId), e => Assert.IsType<PaymentAuthorized>(e), e => Assert.IsType<PaymentVoided>(e));
        Assert.Equal(0, (await world.ProviderLedgerAsync(orderId))!.SuccessfulCaptures);
    }

    [Fact]
    public async Task Refund_the_provider_refuses_as_already_made_is_settled_from_what_the_provider_holds()
    {
        var orderId = await AuthorizedOrderAsync(40m);
        await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
        await world.PassAsync();
        var payment = (await world.PaymentAsync(orderId))!;
        using var elsewhere = await world.ProviderPostAsync("/v1/refunds", new { payment_intent = payment.ProviderIntentId });

        await world.SendAsync(new RefundPayment(orderId, "returned", DateTimeOffset.UtcNow));
        await world.PassAsync();

        var settled = (await world.PaymentAsync(orderId))!;
        Assert.Equal((PaymentStatus.Refunded, 40m), (settled.Status, settled.RefundedAmount));
        Assert.IsType<PaymentRefunded>((await world.EventsAsync(orderId)).Last());
        var ledger = await world.ProviderLedgerAsync(orderId);
        Assert.Equal((4000L, 4000L), (ledger!.CapturedTotal, ledger.RefundedTotal));
    }
}
