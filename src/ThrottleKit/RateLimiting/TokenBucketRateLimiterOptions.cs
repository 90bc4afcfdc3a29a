using System;
using ThrottleKit.Internal;

namespace ThrottleKit.RateLimiting;

/// <summary>
/// Settings of a <see cref="TokenBucketRateLimiter"/>. The limiter copies them when it is built, so changing an
/// instance afterwards does not affect a running limiter (use <see cref="TokenBucketRateLimiter.SetRate(double)"/>).
/// </summary>
public sealed class TokenBucketRateLimiterOptions
{
    /// <summary>
    /// Gets or sets the sustained rate in permits per second. Fractional rates are exact: 0.5 grants one permit every
    /// two seconds, 14 grants fourteen a second. Required; must be positive and finite.
    /// </summary>
    public double PermitsPerSecond { get; set; }

    /// <summary>
    /// Gets or sets the bucket capacity: how many permits may be granted at once after an idle spell.
    /// When <see langword="null"/> (the default) it is one second of <see cref="PermitsPerSecond"/>, rounded down, and at least 1.
    /// </summary>
    public int? Burst { get; set; }

    /// <summary>
    /// Gets or sets how many permits (summed over requests) may wait in the queue. A request that would take the
    /// queue past this limit is not queued: <see cref="System.Threading.RateLimiting.RateLimiter.AcquireAsync(int, System.Threading.CancellationToken)"/>
    /// returns a lease whose <see cref="System.Threading.RateLimiting.RateLimitLease.IsAcquired"/> is <see langword="false"/>,
    /// carrying <see cref="System.Threading.RateLimiting.MetadataName.RetryAfter"/> and
    /// <see cref="System.Threading.RateLimiting.MetadataName.ReasonPhrase"/>. Default <see cref="int.MaxValue"/>: callers wait.
    /// </summary>
    public int QueueLimit { get; set; } = int.MaxValue;

    /// <summary>
    /// Gets or sets how much earlier than their spacing requests may reach the rate-limited service: network delays vary, and
    /// a request that travels faster than the one before it arrives early. The limiter keeps this much of the burst in hand
    /// so that such a request still finds a permit at the service. It costs nothing of the sustained rate while
    /// <see cref="Burst"/> is at least 2 (the first burst is a little smaller); with a burst of 1 it lengthens each interval
    /// by the allowance. Default zero: the limiter's own arithmetic, exactly.
    /// </summary>
    public TimeSpan JitterAllowance { get; set; }

    /// <summary>The burst the limiter will use: <see cref="Burst"/>, or one second of rate (at least 1) when it is not set.</summary>
    /// <returns>The effective bucket capacity in permits.</returns>
    public int GetEffectiveBurst()
        => Burst ?? (int)Math.Max(1, Math.Min(int.MaxValue, Math.Floor(PermitsPerSecond)));

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the exception names it and its value.</exception>
    public void Validate()
    {
        Guard.PositiveFinite(PermitsPerSecond, nameof(PermitsPerSecond));
        if (Burst is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Burst), Burst, $"{nameof(Burst)} must be at least 1 permit.");
        }

        Guard.NotNegative(QueueLimit, nameof(QueueLimit));
        if (JitterAllowance < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(JitterAllowance), JitterAllowance, $"{nameof(JitterAllowance)} must not be negative.");
        }
    }
}
