using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

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

/// <summary>Signals <see cref="PaymentWorkSignal"/> after a commit of the payment database (rows are visible only then).</summary>
public sealed class PaymentWorkSignalInterceptor(PaymentWorkSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        signal.Notify();
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => signal.Notify();

    private void NotifyIfCommitted(DbContext? context)
    {
        // Inside an explicit transaction nothing is visible yet; TransactionCommitted signals then.
        if (context?.Database.CurrentTransaction is null)
        {
            signal.Notify();
        }
    }
}
