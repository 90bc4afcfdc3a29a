using System;
using System.Threading.RateLimiting;
using TokenBucketRateLimiter = ThrottleKit.RateLimiting.TokenBucketRateLimiter;
using TokenBucketRateLimiterOptions = ThrottleKit.RateLimiting.TokenBucketRateLimiterOptions;
using ThrottleKit.RateLimiting;
using ThrottleKit.Telemetry;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>
/// Makes each service's shared rate limiter in place of an in-process <see cref="TokenBucketRateLimiter"/>: registered by an
/// optional backend (<c>UseRedis</c>) so that one quota is shared by every process. Per-operation buckets stay in-process.
/// </summary>
public interface IServiceRateLimiterFactory
{
    /// <summary>Makes the limiter of one service in one container; the container disposes it.</summary>
    /// <param name="serviceKey">The service key (<c>SES</c>, <c>ConnectCampaigns</c> …), the same in every process that shares the quota.</param>
    /// <param name="rateLimit">The service's rate, burst, queue limit and jitter allowance.</param>
    /// <param name="timeProvider">The container's clock.</param>
    /// <param name="telemetry">The service's logger and meter.</param>
    /// <returns>
    /// The limiter. It should be an <see cref="IAdjustableRateLimiter"/>, without which the adaptive rate and the account's quota
    /// cannot set its rate.
    /// </returns>
    RateLimiter Create(string serviceKey, TokenBucketRateLimiterOptions rateLimit, TimeProvider timeProvider, ThrottleKitTelemetry telemetry);
}
