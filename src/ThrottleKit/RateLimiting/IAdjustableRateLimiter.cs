namespace ThrottleKit;

/// <summary>
/// A rate limiter whose sustained rate can be changed while it runs: by the adaptive rate, or by the account's quota.
/// <see cref="GcraRateLimiter"/> is one; a distributed limiter is another.
/// </summary>
public interface IAdjustableRateLimiter
{
    /// <summary>Gets the rate in force, in permits per second.</summary>
    double PermitsPerSecond { get; }

    /// <summary>Changes the rate from now on.</summary>
    /// <param name="permitsPerSecond">The new rate, between 0.000001 and 10⁹ permits per second.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is out of that range.</exception>
    void SetRate(double permitsPerSecond);
}
