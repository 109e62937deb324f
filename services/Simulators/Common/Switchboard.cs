namespace Marketplace.Simulators;

/// <summary>A simulator's behaviour switches; a change replaces the whole record, so readers never see half of one.</summary>
public class Switchboard<TSettings>(TSettings initial) where TSettings : class
{
    private TSettings _current = initial;

    public TSettings Current => Volatile.Read(ref _current);

    public TSettings Change(Func<TSettings, TSettings> change)
    {
        while (true)
        {
            var current = Current;
            var next = change(current);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, current), current))
            {
                return next;
            }
        }
    }
}
