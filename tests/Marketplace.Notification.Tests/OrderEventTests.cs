using Marketplace.Notification.Contacts;
using Marketplace.Notification.Domain;
using Marketplace.Shared.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Notification.Tests;

public sealed class OrderEventTests(Infrastructure infrastructure)
{
    private NotificationApp App => infrastructure.App;

    internal static OrderConfirmed Confirmed(Guid buyerId, params Guid[] merchantIds) => new(
        Guid.NewGuid(), buyerId,
        merchantIds.Select((m, i) => new OrderLineSnapshot($"SKU-{i}-{m:N}"[..20], Guid.NewGuid(), m, $"<b>Earbuds</b> & case {i}", 2, 19.99m)).ToList(),
        39.98m * merchantIds.Length, "USD", Sequence: 2, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Confirmed_order_stores_the_buyers_notification_and_mails_them()
    {
        var buyer = Guid.NewGuid();
        var address = infrastructure.Users.AddBuyer(buyer);
        var message = Confirmed(buyer, Guid.NewGuid());

        var consumed = await App.DeliverAsync(message, Guid.NewGuid());

        Assert.Null(consumed.Exception);
        var stored = await App.QueryAsync(db => db.Notifications.Include(n => n.Email).SingleAsync(n => n.UserId == buyer, TestContext.Current.CancellationToken));
        Assert.Equal((NotificationKinds.OrderConfirmed, "Order confirmed", message.OrderId), (stored.Kind, stored.Title, stored.OrderId));
        var mail = await infrastructure.Mail.WaitForAsync(address);
        Assert.Equal("Marketplace: Order confirmed", mail.Subject);
        Assert.Equal(address, Assert.Single(mail.To.Mailboxes).Address);
        Assert.Equal(stored.Email!.MessageId, mail.MessageId);
        Assert.Contains("&lt;b&gt;Earbuds&lt;/b&gt; &amp; case", mail.HtmlBody);
        Assert.DoesNotContain("<b>Earbuds", mail.HtmlBody);
        Assert.Contains("<b>Earbuds</b> & case", mail.TextBody);
    }

    [Fact]
    public async Task A_kept_contact_is_used_without_asking_users_and_an_older_revision_never_replaces_a_newer()
    {
        var buyer = Guid.NewGuid(); // unknown to the Users stand-in: asking it would fail the message
        var newer = new ContactChanged(buyer, $"newer-{buyer:N}@example.test", "Newer Name",
            new Dictionary<string, bool> { ["order-confirmed"] = true, ["order-cancelled"] = false }, Revision: 3, DateTimeOffset.UtcNow);
        var older = newer with { Email = $"older-{buyer:N}@example.test", DisplayName = "Older Name", Revision = 2 };

        Assert.Null((await App.DeliverAsync(newer, Guid.NewGuid())).Exception);
        Assert.Null((await App.DeliverAsync(older, Guid.NewGuid())).Exception);
        Assert.Null((await App.DeliverAsync(newer, Guid.NewGuid())).Exception); // a repeat changes nothing

        var kept = await App.QueryAsync(db => db.Contacts.AsNoTracking().SingleAsync(c => c.UserId == buyer, TestContext.Current.CancellationToken));
        Assert.Equal((newer.Email, "Newer Name", 3L, false), (kept.Email, kept.DisplayName, kept.Revision, kept.EmailPreferences["order-cancelled"]));

        var confirmed = Confirmed(buyer, Guid.NewGuid());
        Assert.Null((await App.DeliverAsync(confirmed, Guid.NewGuid())).Exception);
        var mail = await infrastructure.Mail.WaitForAsync(newer.Email);
        Assert.Contains("Hello Newer Name", mail.TextBody);
        Assert.Empty(infrastructure.Mail.To(older.Email));
    }

    [Fact]
    public async Task A_contact_asked_of_users_is_kept_for_the_next_notification()
    {
        var buyer = Guid.NewGuid();
        var address = infrastructure.Users.AddBuyer(buyer);

        Assert.Null((await App.DeliverAsync(Confirmed(buyer, Guid.NewGuid()), Guid.NewGuid())).Exception);

        var kept = await App.QueryAsync(db => db.Contacts.AsNoTracking().SingleAsync(c => c.UserId == buyer, TestContext.Current.CancellationToken));
        Assert.Equal(address, kept.Email);
        Assert.True(kept.EmailPreferences["order-confirmed"]);
    }

    [Fact]
    public async Task Confirmed_order_gives_each_merchant_in_it_one_new_order_notification_and_no_email()
    {
        var buyer = Guid.NewGuid();
        infrastructure.Users.AddBuyer(buyer);
        Guid merchantA = Guid.NewGuid(), merchantB = Guid.NewGuid();
        var message = Confirmed(buyer, merchantA, merchantB, merchantA);

        await App.DeliverAsync(message, Guid.NewGuid());

        var merchantNotifications = await App.QueryAsync(db => db.Notifications.Include(n => n.Email)
            .Where(n => n.OrderId == message.OrderId && n.MerchantId != null).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new[] { merchantA, merchantB }.Order(), merchantNotifications.Select(n => n.MerchantId!.Value).Order());
        Assert.All(merchantNotifications, n => Assert.Equal((NotificationKinds.NewOrder, (Guid?)null, (EmailMessage?)null), (n.Kind, n.UserId, n.Email)));
        Assert.Contains("4 items of yours", merchantNotifications.Single(n => n.MerchantId == merchantA).Body);
    }

    [Fact]
    public async Task Buyer_who_turned_cancellation_emails_off_gets_the_notification_and_no_email()
    {
        var buyer = Guid.NewGuid();
        var address = infrastructure.Users.AddBuyer(buyer, new() { ["order-cancelled"] = false });
        var cancelled = new OrderCancelled(Guid.NewGuid(), buyer, [Guid.NewGuid()], "Payment declined", Sequence: 2, DateTimeOffset.UtcNow);

        var consumed = await App.DeliverAsync(cancelled, Guid.NewGuid());

        Assert.Null(consumed.Exception);
        var stored = await App.QueryAsync(db => db.Notifications.Include(n => n.Email).SingleAsync(n => n.UserId == buyer, TestContext.Current.CancellationToken));
        Assert.Equal("Order cancelled", stored.Title);
        Assert.Contains("Payment declined", stored.Body);
        Assert.Null(stored.Email);
        // A mail sent anyway would reach the sink within the sender's poll interval (200 ms here).
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Empty(infrastructure.Mail.To(address));
    }

    [Fact]
    public async Task The_same_message_handled_twice_stores_one_notification_and_sends_one_email()
    {
        var buyer = Guid.NewGuid();
        var address = infrastructure.Users.AddBuyer(buyer);
        var shipped = new OrderShipped(Guid.NewGuid(), buyer, Guid.NewGuid(), ["SKU-1", "SKU-2"], "TRACK-123", FullyShipped: true, DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();

        var first = await App.DeliverAsync(shipped, messageId);
        await infrastructure.Mail.WaitForAsync(address);
        var second = await App.DeliverAsync(shipped, messageId);

        Assert.Null(first.Exception);
        Assert.Null(second.Exception);
        var stored = await App.QueryAsync(db => db.Notifications.Where(n => n.UserId == buyer).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Tracking number: TRACK-123", Assert.Single(stored).Body);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Single(infrastructure.Mail.To(address));
    }

    [Fact]
    public async Task Buyer_without_a_profile_yet_makes_the_consumer_throw_so_the_message_is_retried()
    {
        var buyer = Guid.NewGuid();
        var message = Confirmed(buyer, Guid.NewGuid());
        var messageId = Guid.NewGuid();

        var failed = await App.DeliverAsync(message, messageId);

        Assert.IsType<ContactNotFoundException>(failed.Exception);
        Assert.Equal(0, await App.QueryAsync(db => db.Notifications.CountAsync(n => n.OrderId == message.OrderId, TestContext.Current.CancellationToken)));

        // The profile appears; the redelivered message (same MessageId) is handled in full.
        var address = infrastructure.Users.AddBuyer(buyer);
        var retried = await App.DeliverAsync(message, messageId);

        Assert.Null(retried.Exception);
        Assert.Equal(2, await App.QueryAsync(db => db.Notifications.CountAsync(n => n.OrderId == message.OrderId, TestContext.Current.CancellationToken)));
        await infrastructure.Mail.WaitForAsync(address);
    }

    [Fact]
    public async Task Low_stock_notifies_the_merchant_in_app_with_the_sku()
    {
        var merchant = Guid.NewGuid();

        await App.DeliverAsync(new LowStock("ACME-EB3-BLK", merchant, Guid.NewGuid(), 2, 5, DateTimeOffset.UtcNow), Guid.NewGuid());

        var stored = await App.QueryAsync(db => db.Notifications.SingleAsync(n => n.MerchantId == merchant, TestContext.Current.CancellationToken));
        Assert.Equal((NotificationKinds.LowStock, "ACME-EB3-BLK", "Low stock: ACME-EB3-BLK"), (stored.Kind, stored.Sku, stored.Title));
        Assert.Contains("2 available", stored.Body);
    }
}
