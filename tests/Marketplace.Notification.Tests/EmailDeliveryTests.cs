using Marketplace.Notification.Domain;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Notification.Tests;

/// <summary>An instance of its own whose SMTP server is down at first: the shared sink stays up for the other tests.</summary>
public sealed class EmailDeliveryTests(Infrastructure infrastructure)
{
    [Fact]
    public async Task Email_queued_while_smtp_is_down_stays_pending_and_is_sent_once_smtp_is_back()
    {
        var mailbox = infrastructure.NewMailbox();
        await using var app = new NotificationApp(infrastructure, mailbox).Started();
        var buyer = Guid.NewGuid();
        var address = infrastructure.Users.AddBuyer(buyer);

        await app.DeliverAsync(OrderEventTests.Confirmed(buyer, Guid.NewGuid()), Guid.NewGuid());
        EmailMessage? pending = null;
        for (var attempt = 0; attempt < 100 && pending is not { Attempts: >= 2 }; attempt++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            pending = await app.QueryAsync(db => db.EmailMessages.AsNoTracking().SingleOrDefaultAsync(m => m.ToAddress == address, TestContext.Current.CancellationToken));
        }

        Assert.Equal(EmailStatus.Pending, pending!.Status);
        Assert.True(pending.Attempts >= 2, $"the sender should have retried; attempts: {pending.Attempts}");
        Assert.NotNull(pending.LastError);

        await mailbox.Server.StartAsync(TimeSpan.FromSeconds(20));
        try
        {
            var mail = await mailbox.WaitForAsync(address);
            Assert.Equal(pending.MessageId, mail.MessageId);
            var sent = await app.QueryAsync(db => db.EmailMessages.AsNoTracking().SingleAsync(m => m.Id == pending.Id, TestContext.Current.CancellationToken));
            for (var attempt = 0; attempt < 50 && sent.Status != EmailStatus.Sent; attempt++)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
                sent = await app.QueryAsync(db => db.EmailMessages.AsNoTracking().SingleAsync(m => m.Id == pending.Id, TestContext.Current.CancellationToken));
            }
            Assert.Equal((EmailStatus.Sent, (string?)null), (sent.Status, sent.LastError));
            Assert.Single(mailbox.To(address));
        }
        finally
        {
            await mailbox.Server.StopAsync();
        }
    }
}
