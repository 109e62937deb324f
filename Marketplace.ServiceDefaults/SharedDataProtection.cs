using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class SharedDataProtection
{
    /// <summary>
    /// Data Protection keys (cookies, antiforgery tokens) in Redis, so every replica of this app reads
    /// what another wrote (architecture.md, "Scale-out rules"). Each app keeps its own key ring.
    /// </summary>
    public static TBuilder AddSharedDataProtection<TBuilder>(this TBuilder builder, string redisConnectionName = "redis")
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(redisConnectionName);
        var application = builder.Environment.ApplicationName;
        builder.Services.AddDataProtection().SetApplicationName(application);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new RedisXmlRepository(
                () => sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), $"dataprotection:{application}")));
        return builder;
    }
}
