using System;
using ThrottleKit.Backoff;
using ThrottleKit.Internal;
using ThrottleKit.RateLimiting;

namespace ThrottleKit.Execution;

/// <summary>Settings of a <see cref="ThrottledExecutor"/> that owns its rate limiter. Bindable from configuration.</summary>
public sealed class ThrottledExecutorOptions
{
    /// <summary>Gets or sets the rate limit every attempt goes through.</summary>
    public TokenBucketRateLimiterOptions RateLimit { get; set; } = new();

    /// <summary>Gets or sets the retry schedule for throttled attempts.</summary>
    public ExponentialBackoffOptions Backoff { get; set; } = new();

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentNullException"><see cref="RateLimit"/> or <see cref="Backoff"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the exception names it and its value.</exception>
    public void Validate()
    {
        Guard.NotNull(RateLimit, nameof(RateLimit)).Validate();
        Guard.NotNull(Backoff, nameof(Backoff)).Validate();
    }
}
