using System.Buffers.Binary;
using Marketplace.Identity.Domain;
using Marketplace.Identity.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Marketplace.Identity.Tests;

/// <summary>A configured iteration count applies to new hashes, and only Development may go below ASP.NET Core Identity's default.</summary>
public sealed class PasswordHashingTests
{
    private static readonly int Default = new PasswordHasherOptions().IterationCount;

    [Fact]
    public void Without_a_setting_the_default_stays() => Assert.Null(PasswordHashing.Iterations(null, isDevelopment: false));

    [Fact]
    public void Fewer_iterations_than_the_default_are_refused_outside_development()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => PasswordHashing.Iterations(1_000, isDevelopment: false));
        Assert.Contains(PasswordHashing.Key, refused.Message);
        Assert.Throws<InvalidOperationException>(() => PasswordHashing.Iterations(0, isDevelopment: true));
        Assert.Equal(Default * 2, PasswordHashing.Iterations(Default * 2, isDevelopment: false));
    }

    [Fact]
    public void A_hash_made_under_the_setting_carries_its_count_and_a_higher_setting_asks_for_a_rehash()
    {
        var user = new MarketplaceUser { UserName = "buyer@marketplace.test" };
        var cheap = new PasswordHasher<MarketplaceUser>(Options.Create(new PasswordHasherOptions { IterationCount = PasswordHashing.Iterations(1_000, isDevelopment: true)!.Value }));
        var hash = cheap.HashPassword(user, "Pass123$");

        // Format V3: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), salt length, salt, subkey.
        Assert.Equal(1_000, BinaryPrimitives.ReadInt32BigEndian(Convert.FromBase64String(hash).AsSpan(5, 4)));
        Assert.Equal(PasswordVerificationResult.Success, cheap.VerifyHashedPassword(user, hash, "Pass123$"));
        Assert.Equal(PasswordVerificationResult.SuccessRehashNeeded, new PasswordHasher<MarketplaceUser>().VerifyHashedPassword(user, hash, "Pass123$"));
        Assert.Equal(PasswordVerificationResult.Failed, cheap.VerifyHashedPassword(user, hash, "wrong"));
    }
}
