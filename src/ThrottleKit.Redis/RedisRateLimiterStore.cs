using System;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ThrottleKit.Redis;

/// <summary>Keeps each bucket of a container in Redis, under its name: every process with the same configuration shares it.</summary>
internal sealed class RedisRateLimiterStore(RedisConnection connection, IOptions<RedisRateLimiterOptions> options) : IRateLimiterStore
{
    /// <summary>A limiter on the container's connection; nothing here waits for it, so a bucket may be made on the permit path.</summary>
    public RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions rateLimit, TimeProvider timeProvider)
        => new RedisGcraRateLimiter(connection, ownsConnection: false, bucketName, rateLimit, options.Value, timeProvider);
}
