using System;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Telemetry;
using TokenBucketRateLimiterOptions = ThrottleKit.RateLimiting.TokenBucketRateLimiterOptions;

namespace ThrottleKit.Redis.DependencyInjection;

/// <summary>Gives each throttled service of a container a bucket in Redis named after its service key.</summary>
internal sealed class RedisServiceRateLimiterFactory(RedisConnection connection, IOptions<RedisRateLimiterOptions> options, ILoggerFactory? loggerFactory = null) : IServiceRateLimiterFactory
{
    public RateLimiter Create(string serviceKey, TokenBucketRateLimiterOptions rateLimit, TimeProvider timeProvider, ThrottleKitTelemetry telemetry)
        => new RedisTokenBucketRateLimiter(connection.Multiplexer, serviceKey, rateLimit, options.Value, timeProvider, loggerFactory?.CreateLogger("ThrottleKit"));
}
