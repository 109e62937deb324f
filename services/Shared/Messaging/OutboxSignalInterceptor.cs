using System.Data.Common;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Marketplace.Shared.Messaging;

/// <summary>
/// Wakes a background worker after a commit that gave it work, and only then: a commit that gave it none
/// (the worker's own bookkeeping, above all) must not wake it, or it would wake itself for ever.
/// </summary>
/// <typeparam name="TSelf">The concrete interceptor: each kind keeps its own record of contexts with work pending.</typeparam>
public abstract class CommitSignalInterceptor<TSelf>(Action notify) : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TSelf : CommitSignalInterceptor<TSelf>
{
    /// <summary>
    /// Contexts whose pending changes (or current transaction) include work for this kind of worker. A context leaves it at
    /// its commit, rollback or failed save. (A concurrent dictionary, not a weak table: the weak table's one lock was the
    /// lock Ordering's threads waited on most in a flash sale. The contexts are pooled, so one that left without any of
    /// those three stays only until its next use commits.)
    /// </summary>
    private static readonly ConcurrentDictionary<DbContext, byte> WorkPending = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether the changes about to be saved give the worker something to do.</summary>
    protected abstract bool GivesWork(DbContext context);

    /// <summary>For work written without the change tracker (raw SQL): counts as pending until the commit.</summary>
    public static void MarkWork(DbContext context) => WorkPending.TryAdd(context, 0);

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Remember(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Remember(eventData.Context);
        return ValueTask.FromResult(result);
    }

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

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => NotifyIfPending(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        NotifyIfPending(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Remember(DbContext? context)
    {
        if (context is not null && GivesWork(context))
        {
            MarkWork(context);
        }
    }

    private void NotifyIfCommitted(DbContext? context)
    {
        // Inside an explicit transaction nothing is visible yet; TransactionCommitted signals then.
        if (context?.Database.CurrentTransaction is null)
        {
            NotifyIfPending(context);
        }
    }

    private void NotifyIfPending(DbContext? context)
    {
        if (context is not null && WorkPending.TryRemove(context, out _))
        {
            notify();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
        {
            WorkPending.TryRemove(context, out _);
        }
    }
}

/// <summary>Wakes the outbox relay after a commit that wrote outbox rows, so delivery does not wait for the next poll.</summary>
internal sealed class OutboxSignalInterceptor(OutboxSignal signal) : CommitSignalInterceptor<OutboxSignalInterceptor>(signal.Notify)
{
    protected override bool GivesWork(DbContext context) =>
        context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
}
