using System;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ThrottleKit.Redis;

/// <summary>Keeps each bucket of a container in Redis, under its name: every process with the same configuration shares it.</summary>
internal sealed class RedisRateLimiterStore(RedisConnection connection, IOptions<RedisRateLimiterOptions> options, ILoggerFactory? loggerFactory = null) : IRateLimiterStore
{
    public RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions rateLimit, TimeProvider timeProvider)
        => new RedisGcraRateLimiter(connection.Multiplexer, bucketName, rateLimit, options.Value, timeProvider, connection.Circuit, loggerFactory?.CreateLogger("ThrottleKit"));
}
