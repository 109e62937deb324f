namespace Marketplace.Notification.Domain;

public enum EmailStatus
{
    Pending,
    Sent,
    Failed,
}

/// <summary>
/// An e-mail waiting to be sent, written in the same transaction as its notification. The sender
/// claims due rows with a lease, so any number of replicas can send without sending one twice
/// (except after a crash between sending and recording it, which the Message-Id makes recognisable).
/// </summary>
public sealed class EmailMessage
{
    private EmailMessage() { }

    public Guid Id { get; private set; }
    public Guid NotificationId { get; private set; }
    public string ToAddress { get; private set; } = "";
    public string Subject { get; private set; } = "";
    public string TextBody { get; private set; } = "";
    public string HtmlBody { get; private set; } = "";
    public EmailStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? LeaseUntil { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>Stable across resends: a receiver (or a person) sees a second copy as the same message.</summary>
    public string MessageId => $"{Id:N}@notification.marketplace";

    public static EmailMessage Create(InAppNotification notification, string toAddress, EmailContent content, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        NotificationId = notification.Id,
        ToAddress = toAddress,
        Subject = content.Subject,
        TextBody = content.TextBody,
        HtmlBody = content.HtmlBody,
        Status = EmailStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    public void MarkSent(DateTimeOffset at)
    {
        Status = EmailStatus.Sent;
        Attempts++;
        SentAt = at;
        LeaseUntil = null;
        LastError = null;
    }

    /// <summary>Backs off exponentially; after <paramref name="maxAttempts"/> the message is given up as Failed.</summary>
    public void MarkAttemptFailed(DateTimeOffset at, string error, int maxAttempts, TimeSpan firstBackoff, TimeSpan maxBackoff)
    {
        Attempts++;
        LeaseUntil = null;
        LastError = error.Length > 2000 ? error[..2000] : error;
        if (Attempts >= maxAttempts)
        {
            Status = EmailStatus.Failed;
            return;
        }
        var backoff = firstBackoff * Math.Pow(2, Math.Min(Attempts - 1, 20));
        NextAttemptAt = at + (backoff < maxBackoff ? backoff : maxBackoff);
    }
}

public sealed record EmailContent(string Subject, string TextBody, string HtmlBody);
