namespace ThrottleKit.RateLimiting;

/// <summary>
/// A rate limiter whose sustained rate can be changed while it runs: by the adaptive rate, or by the account's quota.
/// <see cref="TokenBucketRateLimiter"/> is one; a distributed limiter is another.
/// </summary>
public interface IAdjustableRateLimiter
{
    /// <summary>Gets the rate in force, in permits per second.</summary>
    double PermitsPerSecond { get; }

    /// <summary>Changes the rate from now on.</summary>
    /// <param name="permitsPerSecond">The new rate; positive and finite.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is not positive and finite.</exception>
    void SetRate(double permitsPerSecond);
}
