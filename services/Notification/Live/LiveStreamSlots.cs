using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Notification.Live;

/// <summary>
/// How many live streams each user has open, across every replica: a Redis sorted set per user of stream ids
/// scored by when their lease runs out. An open stream renews its lease; one whose replica died without closing
/// it drops out when the lease runs out, so a crash cannot lock a user out for longer than that.
/// </summary>
public sealed class LiveStreamSlots(IConnectionMultiplexer redis, IOptions<LiveUpdateOptions> options, TimeProvider clock)
{
    private static RedisKey KeyFor(Guid userId) => $"notifications:streams:{userId:N}";

    /// <summary>Takes a slot for <paramref name="streamId"/>, unless the user already holds the cap; returns whether it did.</summary>
    public async Task<bool> TryTakeAsync(Guid userId, string streamId)
    {
        var now = clock.GetUtcNow();
        var taken = await redis.GetDatabase().ScriptEvaluateAsync("""
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """, [KeyFor(userId)],
            [now.ToUnixTimeMilliseconds(), LeaseEnd(now), options.Value.MaxStreamsPerUser, streamId, (long)Lease.TotalMilliseconds]);
        return (long)taken == 1;
    }

    public Task RenewAsync(Guid userId, string streamId) =>
        redis.GetDatabase().SortedSetAddAsync(KeyFor(userId), streamId, LeaseEnd(clock.GetUtcNow()), SortedSetWhen.Exists);

    public Task ReleaseAsync(Guid userId, string streamId) => redis.GetDatabase().SortedSetRemoveAsync(KeyFor(userId), streamId);

    /// <summary>Renewed every heartbeat; three missed renewals free the slot.</summary>
    public TimeSpan Lease => options.Value.HeartbeatInterval * 3;

    private long LeaseEnd(DateTimeOffset now) => (now + Lease).ToUnixTimeMilliseconds();
}
