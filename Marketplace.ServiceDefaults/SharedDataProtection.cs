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
    /// what another wrote (a cookie issued by one replica is read by any). Each app keeps its own key ring.
    /// </summary>
    public static TBuilder AddSharedDataProtection<TBuilder>(this TBuilder builder, string redisConnectionName = "redis")
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(redisConnectionName);
        var application = builder.Environment.ApplicationName;
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(application);
        if (!builder.Environment.IsDevelopment())
        {
            // The keys sign session and antiforgery cookies: at rest in Redis they are encrypted, so
            // reading Redis is not enough to forge a sign-in.
            var path = builder.Configuration["DataProtection:CertificatePath"]
                ?? throw new InvalidOperationException("DataProtection:CertificatePath (a PKCS#12 file) is required outside Development: it encrypts the keys kept in Redis.");
            dataProtection.ProtectKeysWithCertificate(
                System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, builder.Configuration["DataProtection:CertificatePassword"]));
        }
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new RedisXmlRepository(
                () => sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), $"dataprotection:{application}")));
        return builder;
    }
}
