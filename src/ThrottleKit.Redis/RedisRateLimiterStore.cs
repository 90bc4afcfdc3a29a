using System;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ThrottleKit.Redis;

/// <summary>Keeps each bucket of a container in Redis, under its name: every process with the same configuration shares it.</summary>
internal sealed class RedisRateLimiterStore(RedisConnection connection, IOptions<RedisRateLimiterOptions> options) : IRateLimiterStore
{
    /// <summary>
    /// A limiter on the container's connection, leasing when <see cref="RedisRateLimiterOptions.LeasePeriod"/> is set (a lease
    /// at most the bucket's burst, one acquire of the shared bucket); nothing here waits for Redis, so a bucket may be made
    /// on the permit path.
    /// </summary>
    public RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions rateLimit, TimeProvider timeProvider)
    {
        var settings = options.Value;
        var shared = new RedisGcraRateLimiter(connection, ownsConnection: false, bucketName, rateLimit, settings, timeProvider);
        return settings.LeasePeriod is not { } period
            ? shared
            : new LeasingRateLimiter(shared, new LeasingRateLimiterOptions { LeasePeriod = period, MaxPermitsPerLease = shared.Burst }, timeProvider);
    }
}
