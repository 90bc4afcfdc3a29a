using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using ThrottleKit.Redis.Tests.Support;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// The script cache is the server's, not a key's: a limiter of any other test that meets the emptied cache loads the script
/// again for everyone, so these tests run alone (CI saw three round trips where the flush test counted four).
/// </summary>
[Collection(RedisScriptCache.Name)]
public sealed class RedisScriptCacheTests(SharedRedis redis)
{
    [Fact]
    public async Task After_SCRIPT_FLUSH_the_script_is_loaded_again_and_the_bucket_keeps_its_state()
    {
        // The caller's clock and a long budget: this is about the script cache, and a cold first call must not count as an outage.
        using var limiter = new RedisGcraRateLimiter(
            redis.Connection,
            SharedRedis.NewBucketName(),
            new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10 },
            new RedisRateLimiterOptions { UseRedisTime = false, AcquireTimeout = TimeSpan.FromSeconds(10) },
            new FakeTimeProvider());
        using (var first = limiter.AttemptAcquire(9))
        {
            Assert.True(first.IsAcquired);
        }

        await redis.Connection.GetServers()[0].ScriptFlushAsync();

        using (var second = await limiter.AcquireAsync(1))
        {
            Assert.True(second.IsAcquired);
        }

        using var third = limiter.AttemptAcquire(1);
        Assert.False(third.IsAcquired);
        Assert.Equal(4, limiter.RoundTrips);   // one each, and one EVAL after NOSCRIPT
    }
}

/// <summary>Tests that empty Redis's script cache: one at a time, beside nothing else of this project.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisScriptCache : ICollectionFixture<SharedRedis>
{
    public const string Name = "Redis script cache";
}
