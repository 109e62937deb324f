using Marketplace.Payment.Data;
using Marketplace.Payment.Domain;
using Marketplace.Payment.Provider;
using Marketplace.Shared.Contracts;
using Marketplace.Shared.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Payment.Processing;

/// <summary>
/// Applies a verified webhook: the outcome of an authorization we are waiting for, under the row's
/// lock, with its event in the same transaction. A replayed, late or unrelated notice changes nothing, and
/// neither does one about a payment the processor is calling the provider about at that moment (its pass stores the answer).
/// </summary>
public sealed class ProviderNotices(PaymentDbContext db, TimeProvider clock, IOptions<PaymentProcessorOptions> options, ILogger<ProviderNotices> logger)
{
    /// <summary>Returns whether the notice changed the payment.</summary>
    public async Task<bool> ApplyAsync(ProviderNotice notice, CancellationToken ct)
    {
        if (!Guid.TryParse(notice.Intent.OrderReference, out var orderId) || !Domain.PaymentIntent.IsAuthorizationOutcome(notice.Intent))
        {
            return false; // a capture's or a cancel's news: the call that made it stored its answer, no transaction needed
        }
        // A pass of the processor is calling the provider about this payment right now and stores what its call answers.
        // Taking the row's lock here would make that pass wait, to store the same news twice. What the pass does not learn
        // is asked again: a call that got no answer is repeated under the same key, and an authorization the provider
        // answered as still processing (an asynchronous card) is looked up at the next recheck (ProcessingRecheck).
        var leasedUntil = await db.PaymentIntents.AsNoTracking().Where(p => p.OrderId == orderId).Select(p => p.LeaseUntil).FirstOrDefaultAsync(ct);
        if (leasedUntil > clock.GetUtcNow())
        {
            logger.LogDebug("Webhook {EventId} ({Type}) for order {OrderId} left to the processor's pass in flight", notice.EventId, notice.Type, orderId);
            return false;
        }
        IReadOnlyList<IIntegrationEvent> events = [];
        var changed = false;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            events = [];
            changed = false;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var intent = await db.LockByOrderAsync(orderId, ct);
            if (intent is null)
            {
                return;
            }
            var before = intent.Status;
            events = intent.ApplyProviderNotice(notice.Intent, clock.GetUtcNow(), options.Value.ProcessingRecheck);
            changed = intent.Status != before;
            if (!changed)
            {
                return;
            }
            foreach (var evt in events)
            {
                db.AddIntegrationEvent(evt, clock);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        });
        if (changed)
        {
            logger.LogDebug("Webhook {EventId} ({Type}) settled order {OrderId}'s authorization: {Status}", notice.EventId, notice.Type, orderId, notice.Intent.Status);
            PaymentTelemetry.Count(events);
        }
        return changed;
    }
}
