using System;

namespace ThrottleKit;

/// <summary>
/// A rate limiter that can hold back every permit for a while: what a service that answered "retry after t" asks of the whole
/// quota. The throttling strategy pauses the limiter of a bucket whose service asked for it, so that the callers queued
/// meanwhile stay queued instead of taking permits they would all spend at once when the pause ends.
/// <see cref="GcraRateLimiter"/> is one; the Redis limiter pauses the bucket for the whole fleet.
/// </summary>
public interface IPausableRateLimiter
{
    /// <summary>
    /// Grants no permit for <paramref name="duration"/> from now; after it, permits come at the rate from an empty bucket
    /// (the pause saves up no burst). A pause shorter than one already in force changes nothing.
    /// </summary>
    /// <param name="duration">How long to hold back, between zero and one hour.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative or longer than an hour.</exception>
    void Pause(TimeSpan duration);
}
