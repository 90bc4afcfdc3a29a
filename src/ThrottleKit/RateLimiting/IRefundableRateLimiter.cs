namespace ThrottleKit;

/// <summary>
/// A rate limiter that takes back permits it granted and that were not used, so that they are granted again: what a
/// <see cref="LeasingRateLimiter"/> does with what is left of a lease when it expires. The Redis limiter is one.
/// </summary>
public interface IRefundableRateLimiter
{
    /// <summary>Gives back <paramref name="permitCount"/> permits granted earlier and not used.</summary>
    /// <param name="permitCount">How many; zero or more.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="permitCount"/> is negative.</exception>
    void Refund(int permitCount);
}
