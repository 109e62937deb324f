using Marketplace.ServiceDefaults.Authentication;
using Marketplace.Shared.Data;
using Marketplace.Shared.Messaging;
using Marketplace.Users.Api;
using Marketplace.Users.Data;
using Marketplace.Users.Messaging;

namespace Marketplace.Users;

public static class UsersRegistration
{
    /// <summary>Profiles, addresses and notification preferences, wired once.</summary>
    public static IHostApplicationBuilder AddUsersService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<UsersDbContext>("usersdb");
        builder.AddMarketplaceMessaging<UsersDbContext>(x => x.AddConsumer<UserRegisteredConsumer>());
        builder.AddMarketplaceAuthentication("users");
        builder.Services.AddScoped<ProfileMutations>();
        return builder;
    }
}
