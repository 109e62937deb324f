using Microsoft.EntityFrameworkCore;

namespace Marketplace.Payment.Processing;

/// <summary>Wakes the processor as soon as this process commits a change, so work does not wait for the next poll.</summary>
public sealed class PaymentWorkSignal : Marketplace.Shared.Messaging.WorkSignal;

/// <summary>
/// Signals <see cref="PaymentWorkSignal"/> after a commit that created or changed a payment (rows are visible
/// only then); commits without one, like the outbox relay's, do not wake the processor.
/// </summary>
public sealed class PaymentWorkSignalInterceptor(PaymentWorkSignal signal) : Marketplace.Shared.Messaging.CommitSignalInterceptor<PaymentWorkSignalInterceptor>(signal.Notify)
{
    protected override bool GivesWork(DbContext context) =>
        context.ChangeTracker.Entries<Domain.PaymentIntent>().Any(e => e.State is EntityState.Added or EntityState.Modified);
}
