using Microsoft.EntityFrameworkCore;

namespace Marketplace.Payment.Processing;

/// <summary>Wakes the processor as soon as this process commits a change, so work does not wait for the next poll.</summary>
public sealed class PaymentWorkSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the processor will look once, which covers every commit so far.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}

/// <summary>
/// Signals <see cref="PaymentWorkSignal"/> after a commit that created or changed a payment (rows are visible
/// only then); commits without one, like the outbox relay's, do not wake the processor.
/// </summary>
public sealed class PaymentWorkSignalInterceptor(PaymentWorkSignal signal) : Marketplace.Shared.Messaging.CommitSignalInterceptor<PaymentWorkSignalInterceptor>(signal.Notify)
{
    protected override bool GivesWork(DbContext context) =>
        context.ChangeTracker.Entries<Domain.PaymentIntent>().Any(e => e.State is EntityState.Added or EntityState.Modified);
}
