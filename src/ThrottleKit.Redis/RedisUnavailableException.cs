using System;

namespace ThrottleKit.Redis;

/// <summary>
/// A <see cref="RedisGcraRateLimiter"/> with <see cref="RedisFailurePolicy.FailClosed"/> could not reach Redis, so it
/// granted nothing and the call was not made.
/// </summary>
public sealed class RedisUnavailableException : Exception
{
    /// <summary>Creates the exception with a standard message.</summary>
    public RedisUnavailableException()
        : base("Redis cannot be reached, and the rate limiter fails closed: the call was not made.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RedisUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the Redis failure behind it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The Redis failure, when there was one (none when the connection was already known to be down).</param>
    public RedisUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
