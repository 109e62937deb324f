using Marketplace.Notification.Api;
using Marketplace.Notification.Contacts;
using Marketplace.Notification.Data;
using Marketplace.Notification.Email;
using Marketplace.Notification.Live;
using Marketplace.Notification.Messaging;
using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;

namespace Marketplace.Notification;

public static class NotificationRegistration
{
    /// <summary>E-mail and in-app notifications from order events, and live updates to the web app, wired once.</summary>
    public static IHostApplicationBuilder AddNotificationService(this IHostApplicationBuilder builder)
    {
        builder.AddMarketplaceAuthentication("notification");
        builder.AddServiceDatabase<NotificationDbContext>("notificationdb");
        builder.AddMarketplaceMessaging<NotificationDbContext>(x =>
        {
            x.AddConsumer<OrderConfirmedConsumer>();
            x.AddConsumer<OrderCancelledConsumer>();
            x.AddConsumer<OrderShippedConsumer>();
            x.AddConsumer<OrderStatusChangedConsumer>();
            x.AddConsumer<LowStockConsumer>();
            x.AddConsumer<ContactChangedConsumer>();
        });
        builder.AddRedisClient("redis");
        builder.AddEmailSender();

        builder.Services.AddHttpClient<UsersClient>(c => c.BaseAddress = new("http://users")).AddServiceToken();
        builder.Services.AddScoped<ContactBook>();
        builder.Services.AddOptions<LiveUpdateOptions>().BindConfiguration("Notification:Live");
        builder.Services.AddSingleton<LiveUpdatePublisher>();
        builder.Services.AddSingleton<LiveStreamSlots>();
        builder.Services.AddSingleton<NotificationDelivery>();
        return builder;
    }
}
