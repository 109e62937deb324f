namespace Marketplace.Web.Services;

/// <summary>The signed-in user's unread count for this circuit: the bell and the notifications page share it.</summary>
public sealed class NotificationState
{
    public int Unread { get; private set; }

    public event Action? Changed;

    public void Set(int unread)
    {
        Unread = Math.Max(0, unread);
        Changed?.Invoke();
    }

    public void Add(int delta) => Set(Unread + delta);
}
