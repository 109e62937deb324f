using Marketplace.Payment.Data;
using Marketplace.Payment.Domain;
using Marketplace.Payment.Provider;
using Marketplace.PaymentProvider;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Payment.Tests;

/// <summary>Without webhooks, so what a test stages is not settled behind its back.</summary>
public sealed class ProcessorTests(SilentProviderWorld world) : IClassFixture<SilentProviderWorld>
{
    [Fact]
    public async Task Authorization_whose_first_call_reached_the_provider_before_a_crash_is_not_made_twice()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 64m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
        var payment = (await world.PaymentAsync(orderId))!;
        // The call a crashed replica made: it reached the provider, its answer was never stored.
        await CallAsAnEarlierAttemptAsync(payment);

        await world.PassAsync();

        Assert.Equal(PaymentStatus.Authorized, (await world.PaymentAsync(orderId))!.Status);
        Assert.Single((await world.ProviderLedgerAsync(orderId))!.Intents);
        Assert.IsType<PaymentAuthorized>(Assert.Single(await world.EventsAsync(orderId)));
    }

    [Fact]
    public async Task Void_after_an_authorize_call_that_may_have_reached_the_provider_cancels_what_the_provider_holds()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 64m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
        var payment = (await world.PaymentAsync(orderId))!;
        await CallAsAnEarlierAttemptAsync(payment);
        // What a claim leaves behind when its replica dies mid-call: one attempt counted, no answer stored.
        await world.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE payment_intents SET attempts = 1 WHERE id = {payment.Id}"));

        await world.SendAsync(new VoidPayment(orderId, "stock ran out", DateTimeOffset.UtcNow));
        await world.PassAsync();
        await world.PassAsync();

        Assert.Equal(PaymentStatus.Voided, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentVoided>(Assert.Single(await world.EventsAsync(orderId)));
        var ledger = await world.ProviderLedgerAsync(orderId);
        Assert.Equal(IntentStatus.Canceled, Assert.Single(ledger!.Intents).Status);
    }

    [Fact]
    public async Task Void_before_the_first_provider_call_settles_without_calling_the_provider()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 64m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
        await world.SendAsync(new VoidPayment(orderId, "stock ran out", DateTimeOffset.UtcNow));

        await world.PassAsync();

        Assert.Equal(PaymentStatus.Voided, (await world.PaymentAsync(orderId))!.Status);
        Assert.IsType<PaymentVoided>(Assert.Single(await world.EventsAsync(orderId)));
        Assert.Null(await world.ProviderLedgerAsync(orderId));
    }

    [Fact]
    public async Task Claim_query_selects_exactly_the_payments_that_have_a_next_step()
    {
        var rows = (from status in Enum.GetValues<PaymentStatus>()
                    from desired in Enum.GetValues<DesiredPaymentState>()
                    select (OrderId: Guid.NewGuid(), Status: status, Desired: desired)).ToList();
        await world.WithDbAsync(async db =>
        {
            foreach (var (orderId, status, desired) in rows)
            {
                // Far in the future, so no pass of another test claims them.
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO payment_intents (id, order_id, buyer_id, amount, currency, payment_method, status, desired,
                        captured_amount, refunded_amount, attempts, next_attempt_at, created_at, updated_at, provider_intent_id)
                    VALUES ({Guid.NewGuid()}, {orderId}, {Guid.NewGuid()}, 10, 'USD', 'pm_card_visa', {status.ToString()}, {desired.ToString()},
                        0, 0, 0, {DateTimeOffset.UtcNow.AddYears(1)}, now(), now(), {"pi_" + orderId.ToString("N")})
                    """);
            }
            return 0;
        });
        var orderIds = rows.Select(r => r.OrderId).ToList();

        var selectedBySql = await world.WithDbAsync(db => db.PaymentIntents
            .FromSqlRaw($"SELECT * FROM payment_intents WHERE {PaymentDbContext.HasWorkSql}")
            .Where(p => orderIds.Contains(p.OrderId)).Select(p => p.OrderId).ToListAsync());
        var withNextStep = (await world.WithDbAsync(db => db.PaymentIntents.AsNoTracking().Where(p => orderIds.Contains(p.OrderId)).ToListAsync()))
            .Where(p => p.NextStep != PaymentStep.None).Select(p => p.OrderId);

        Assert.Equal(withNextStep.Order(), selectedBySql.Order());
        Assert.Equal(12, selectedBySql.Count); // New and Processing with any wish, Authorized with three, Captured with one
    }

    private async Task CallAsAnEarlierAttemptAsync(PaymentIntent payment)
    {
        await using var scope = world.PaymentServices.CreateAsyncScope();
        var provider = scope.ServiceProvider.GetRequiredService<IPaymentProvider>();
        await provider.AuthorizeAsync(new AuthorizationRequest(payment.OrderId, payment.Amount, payment.Currency, payment.PaymentMethod),
            payment.IdempotencyKey("authorize"), TestContext.Current.CancellationToken);
    }
}

public sealed class RunningProcessorTests(RunningProcessorWorld world) : IClassFixture<RunningProcessorWorld>
{
    [Fact]
    public async Task Running_processor_is_woken_by_each_command_and_settles_the_payment_without_being_driven()
    {
        var orderId = Guid.NewGuid();
        await world.SendAsync(new AuthorizePayment(orderId, Guid.NewGuid(), 15m, "USD", "pm_card_visa", DateTimeOffset.UtcNow));
        await PaymentWorld.EventuallyAsync(async () => (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Authorized,
            "the commit wakes the processor well before its 60 s poll");

        await world.SendAsync(new CapturePayment(orderId, DateTimeOffset.UtcNow));
        await PaymentWorld.EventuallyAsync(async () => (await world.PaymentAsync(orderId))!.Status == PaymentStatus.Captured,
            "the capture is made without waiting for a poll");

        Assert.Collection(await world.EventsAsync(orderId), e => Assert.IsType<PaymentAuthorized>(e), e => Assert.IsType<PaymentCaptured>(e));
        Assert.Equal(1, (await world.ProviderLedgerAsync(orderId))!.SuccessfulCaptures);
    }
}
