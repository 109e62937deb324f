using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Notification.Api;
using Marketplace.Notification.Domain;
using Marketplace.Shared.Contracts;
using Marketplace.Notification.Live;

namespace Marketplace.Notification.Tests;

public sealed class NotificationApiTests(Infrastructure infrastructure)
{
    private NotificationApp App => infrastructure.App;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<InAppNotification> StoreAsync(InAppNotification notification)
    {
        await App.QueryAsync(async db =>
        {
            db.Notifications.Add(notification);
            return await db.SaveChangesAsync(Ct);
        });
        return notification;
    }

    private static InAppNotification ForUser(Guid userId, string title, DateTimeOffset at) =>
        InAppNotification.ForUser(userId, NotificationKinds.OrderShipped, new NotificationText(title, "body"), at, Guid.NewGuid());

    [Fact]
    public async Task The_list_shows_only_the_callers_notifications_newest_first_with_the_unread_count()
    {
        Guid me = Guid.NewGuid(), someoneElse = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await StoreAsync(ForUser(me, "older", now.AddMinutes(-2)));
        await StoreAsync(ForUser(me, "newer", now.AddMinutes(-1)));
        await StoreAsync(ForUser(someoneElse, "not mine", now));
        using var client = App.ClientFor(me);

        var page = await client.GetFromJsonAsync<NotificationPage>("/api/notifications", Ct);

        Assert.Equal(["newer", "older"], page!.Items.Select(n => n.Title));
        Assert.Equal((2, 2), (page.TotalCount, page.UnreadCount));
    }

    [Fact]
    public async Task Reading_marks_one_read_all_marks_the_rest_and_unread_only_lists_what_is_left()
    {
        var me = Guid.NewGuid();
        var first = await StoreAsync(ForUser(me, "first", DateTimeOffset.UtcNow.AddMinutes(-3)));
        await StoreAsync(ForUser(me, "second", DateTimeOffset.UtcNow.AddMinutes(-2)));
        await StoreAsync(ForUser(me, "third", DateTimeOffset.UtcNow.AddMinutes(-1)));
        using var client = App.ClientFor(me);

        var read = await client.PostAsync($"/api/notifications/{first.Id}/read", null, Ct);
        var unread = await client.GetFromJsonAsync<NotificationPage>("/api/notifications?unreadOnly=true", Ct);
        var all = await client.PostAsync("/api/notifications/read-all", null, Ct);
        var after = await client.GetFromJsonAsync<NotificationPage>("/api/notifications", Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotNull((await read.Content.ReadFromJsonAsync<NotificationDto>(Ct))!.ReadAt);
        Assert.Equal(["third", "second"], unread!.Items.Select(n => n.Title));
        Assert.Equal(2, unread.UnreadCount);
        Assert.Equal(2, (await all.Content.ReadFromJsonAsync<ReadAllResult>(Ct))!.Marked);
        Assert.Equal((3, 0), (after!.TotalCount, after.UnreadCount));
    }

    [Fact]
    public async Task Reading_another_users_notification_answers_404_and_leaves_it_unread()
    {
        Guid owner = Guid.NewGuid(), intruder = Guid.NewGuid();
        var theirs = await StoreAsync(ForUser(owner, "private", DateTimeOffset.UtcNow));
        using var client = App.ClientFor(intruder);

        var response = await client.PostAsync($"/api/notifications/{theirs.Id}/read", null, Ct);
        var readAll = await client.PostAsync("/api/notifications/read-all", null, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await readAll.Content.ReadFromJsonAsync<ReadAllResult>(Ct))!.Marked);
        var stored = await App.QueryAsync(db => db.Notifications.FindAsync([theirs.Id], Ct).AsTask());
        Assert.Null(stored!.ReadAt);
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("page=abc", "page")]
    [InlineData("unreadOnly=maybe", "unreadOnly")]
    public async Task Paging_out_of_range_is_a_400_problem_naming_the_field(string query, string field)
    {
        using var client = App.ClientFor(Guid.NewGuid());

        var response = await client.GetAsync($"/api/notifications?{query}", Ct);

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_refused()
    {
        using var anonymous = App.CreateClient();
        using var wrongAudience = App.CreateClient();
        wrongAudience.DefaultRequestHeaders.Authorization = new("Bearer", NotificationApp.Token(Guid.NewGuid(), "shopper", audience: "catalog"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notifications", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongAudience.GetAsync("/api/notifications/stream", Ct)).StatusCode);
    }

    [Fact]
    public async Task Merchants_see_their_merchants_notifications_and_log_but_not_another_merchants()
    {
        Guid merchant = Guid.NewGuid(), otherMerchant = Guid.NewGuid(), merchantUser = Guid.NewGuid(), colleague = Guid.NewGuid();
        var mine = await StoreAsync(InAppNotification.ForMerchant(merchant, NotificationKinds.LowStock, new("Low stock: A", "a"), DateTimeOffset.UtcNow, sku: "A"));
        await StoreAsync(InAppNotification.ForMerchant(otherMerchant, NotificationKinds.LowStock, new("Low stock: B", "b"), DateTimeOffset.UtcNow, sku: "B"));
        using var client = App.ClientFor(merchantUser, "merchant", merchant);
        using var colleagueClient = App.ClientFor(colleague, "merchant", merchant);

        var list = await client.GetFromJsonAsync<NotificationPage>("/api/notifications", Ct);
        var log = await client.GetFromJsonAsync<NotificationLogPage>("/api/notifications/log", Ct);
        var colleagueRead = await colleagueClient.PostAsync($"/api/notifications/{mine.Id}/read", null, Ct);

        Assert.Equal([mine.Id], list!.Items.Select(n => n.Id));
        Assert.Equal([mine.Id], log!.Items.Select(n => n.Id));
        Assert.Equal(HttpStatusCode.OK, colleagueRead.StatusCode);
    }

    [Fact]
    public async Task Admins_log_shows_every_notification_with_its_email_status_and_shoppers_have_no_log()
    {
        var buyer = Guid.NewGuid();
        var address = infrastructure.Users.AddBuyer(buyer);
        var cancelled = new OrderCancelled(Guid.NewGuid(), buyer, [Guid.NewGuid()], "Out of stock", Sequence: 1, DateTimeOffset.UtcNow);
        await App.DeliverAsync(cancelled, Guid.NewGuid());
        await infrastructure.Mail.WaitForAsync(address);
        using var admin = App.ClientFor(Guid.NewGuid(), "admin");
        using var shopper = App.ClientFor(buyer);

        NotificationLogEntry? entry = null;
        for (var attempt = 0; attempt < 50 && entry?.Email?.Status != "Sent"; attempt++)
        {
            // The row is marked Sent just after the sink accepted it.
            var log = await admin.GetFromJsonAsync<NotificationLogPage>("/api/notifications/log?pageSize=100", Ct);
            entry = log!.Items.SingleOrDefault(e => e.OrderId == cancelled.OrderId);
            await Task.Delay(100, Ct);
        }
        var shopperLog = await shopper.GetAsync("/api/notifications/log", Ct);

        Assert.Equal((buyer, address, "Sent", 1), (entry!.UserId!.Value, entry.Email!.ToAddress, entry.Email.Status, entry.Email.Attempts));
        Assert.Equal(HttpStatusCode.Forbidden, shopperLog.StatusCode);
    }
}
