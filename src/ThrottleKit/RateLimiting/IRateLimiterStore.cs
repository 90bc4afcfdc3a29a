using System;
using System.Threading.RateLimiting;

namespace ThrottleKit;

/// <summary>
/// Where the state of a bucket is kept: in the process (the default), or in a store a fleet of processes shares
/// (<c>ThrottleKit.Redis</c>). Every limiter ThrottleKit makes for a bucket of a container comes from the container's store,
/// so a fleet store plugs into every one of them at once.
/// </summary>
public interface IRateLimiterStore
{
    /// <summary>Makes the limiter of one bucket. The caller owns and disposes it.</summary>
    /// <param name="bucketName">
    /// The bucket's name, the same in every process that shares the quota (for an AWS service, its key, Region, account and
    /// operation group: <c>SES:us-east-1:1a2b3c4d:send</c>). Never holds a secret.
    /// </param>
    /// <param name="options">The rate, burst, queue limit, jitter allowance and borrowing; validated.</param>
    /// <param name="timeProvider">The container's clock.</param>
    /// <returns>
    /// The limiter. It should be an <see cref="IAdjustableRateLimiter"/>, without which the adaptive rate, the account's quota
    /// and a configuration change cannot set its rate.
    /// </returns>
    RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions options, TimeProvider timeProvider);
}
