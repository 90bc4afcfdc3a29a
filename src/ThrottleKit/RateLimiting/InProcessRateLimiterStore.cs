using System;
using System.Threading.RateLimiting;

namespace ThrottleKit;

/// <summary>The default store: each bucket a <see cref="GcraRateLimiter"/> of this process.</summary>
internal sealed class InProcessRateLimiterStore : IRateLimiterStore
{
    public RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions options, TimeProvider timeProvider) => new GcraRateLimiter(options, timeProvider);
}
