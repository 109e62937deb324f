using Marketplace.Shared.Mail;
using Marketplace.Shared.Messaging;
using System.Diagnostics.Metrics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Marketplace.Notification.Data;
using Marketplace.Notification.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Marketplace.Notification.Email;

public sealed class EmailSenderOptions
{
    public string From { get; set; } = "Marketplace <no-reply@marketplace.test>";
    public int BatchSize { get; set; } = 10;
    /// <summary>How often a sender looks for due rows when nothing in this process queued mail.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a claimed batch is this sender's; longer than a batch can take to send.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan SmtpTimeout { get; set; } = TimeSpan.FromSeconds(20);
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Attempts before a message is given up as Failed (about an hour of retrying with the defaults).</summary>
    public int MaxAttempts { get; set; } = 20;
}

/// <summary>Wakes the sender as soon as this process commits queued mail, so it does not wait for the next poll.</summary>
public sealed class EmailSignal : WorkSignal;

/// <summary>
/// Sends queued e-mails over SMTP. Each pass claims due rows with a lease (<c>FOR UPDATE SKIP LOCKED</c>,
/// committed at once), so replicas share the work without sending a row twice; the SMTP conversation
/// happens outside any transaction, and each outcome is recorded per row. A failed send backs off and
/// is retried until it goes through or runs out of attempts.
/// </summary>
public sealed class EmailSender(
    IServiceScopeFactory scopes,
    SmtpEndpoint endpoint,
    EmailSignal signal,
    TimeProvider clock,
    IOptions<EmailSenderOptions> options,
    ILogger<EmailSender> logger) : LeasedBatchWorker(signal, clock, logger)
{
    private static readonly Meter Meter = new("Marketplace.Notification");
    private static readonly Counter<long> Sent = Meter.CreateCounter<long>("marketplace.email.sent");
    private static readonly Counter<long> SendFailures = Meter.CreateCounter<long>("marketplace.email.send_failures");

    private readonly EmailSenderOptions _options = options.Value;

    protected override TimeSpan PollInterval => _options.PollInterval;

    protected override async Task<bool> PassAsync(CancellationToken ct) => await SendDueAsync(ct) >= _options.BatchSize;

    /// <summary>Claims one batch of due e-mails and tries each once; returns how many it claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var now = Clock.GetUtcNow();
        var leaseUntil = now + _options.Lease;
        var batch = await db.EmailMessages
            .FromSql($"""
                UPDATE email_messages SET lease_until = {leaseUntil}
                WHERE id IN (
                    SELECT id FROM email_messages
                    WHERE status = 'Pending' AND next_attempt_at <= {now} AND (lease_until IS NULL OR lease_until <= {now})
                    ORDER BY next_attempt_at
                    LIMIT {_options.BatchSize}
                    FOR UPDATE SKIP LOCKED)
                RETURNING *
                """)
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            return 0;
        }

        using var smtp = new SmtpClient { Timeout = (int)_options.SmtpTimeout.TotalMilliseconds };
        for (var i = 0; i < batch.Count; i++)
        {
            var email = batch[i];
            try
            {
                if (!smtp.IsConnected)
                {
                    await ConnectAsync(smtp, ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Unreachable server: every remaining row waits its backoff, none costs another timeout now.
                foreach (var waiting in batch.Skip(i))
                {
                    await RecordFailureAsync(db, waiting, ex);
                }
                break;
            }

            try
            {
                await smtp.SendAsync(ToMimeMessage(email), ct);
                email.MarkSent(Clock.GetUtcNow());
                Sent.Add(1);
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await RecordFailureAsync(db, email, ex);
                if (ex is not SmtpCommandException)
                {
                    // The conversation may be broken mid-message; the next row starts a fresh one.
                    await DisconnectQuietlyAsync(smtp);
                }
            }
        }
        await DisconnectQuietlyAsync(smtp);
        return batch.Count;
    }

    private async Task ConnectAsync(SmtpClient smtp, CancellationToken ct)
    {
        await smtp.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.UseTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, ct);
        if (endpoint.UserName is not null)
        {
            await smtp.AuthenticateAsync(endpoint.UserName, endpoint.Password ?? "", ct);
        }
    }

    private async Task RecordFailureAsync(NotificationDbContext db, EmailMessage email, Exception error)
    {
        email.MarkAttemptFailed(Clock.GetUtcNow(), error.GetBaseException().Message, _options.MaxAttempts, _options.FirstBackoff, _options.MaxBackoff);
        SendFailures.Add(1);
        await db.SaveChangesAsync(CancellationToken.None);
        if (email.Status == EmailStatus.Failed)
        {
            Logger.LogError(error, "E-mail {EmailId} to {To} gave up after {Attempts} attempts", email.Id, email.ToAddress, email.Attempts);
        }
        else
        {
            Logger.LogWarning("E-mail {EmailId} not sent (attempt {Attempts}), next try at {NextAttemptAt}: {Error}",
                email.Id, email.Attempts, email.NextAttemptAt, email.LastError);
        }
    }

    private static async Task DisconnectQuietlyAsync(SmtpClient smtp)
    {
        if (!smtp.IsConnected)
        {
            return;
        }
        try
        {
            await smtp.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or TimeoutException)
        {
            // The server is gone already; nothing to close politely.
        }
    }

    private MimeMessage ToMimeMessage(EmailMessage email)
    {
        var message = new MimeMessage
        {
            MessageId = email.MessageId,
            Subject = email.Subject,
            Date = email.CreatedAt,
            Body = new BodyBuilder { TextBody = email.TextBody, HtmlBody = email.HtmlBody }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(_options.From));
        message.To.Add(MailboxAddress.Parse(email.ToAddress));
        return message;
    }
}

public static class EmailSenderExtensions
{
    public static IHostApplicationBuilder AddEmailSender(this IHostApplicationBuilder builder)
    {
        builder.AddSmtpSink();
        builder.Services.AddOptions<EmailSenderOptions>().BindConfiguration("Notification:Email");
        builder.Services.AddSingleton<EmailSignal>();
        builder.Services.AddHostedService<EmailSender>();
        return builder;
    }
}
