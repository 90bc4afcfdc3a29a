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

    /// <summary>Redis cannot be reached and the limiter fails closed.</summary>
    internal static RedisUnavailableException Unreachable(string bucketName, string key, double fallbackRate, Exception? error) => new(
        $"The rate limit '{bucketName}' is kept in Redis ({key}), which cannot be reached" + (error is null ? string.Empty : $" ({error.GetType().Name})") +
        "; FailurePolicy is FailClosed, so the call was not made. A probe checks Redis every RetryInterval; " +
        $"FailOpen would fall back to a local limit of {fallbackRate:0.##}/s (rate ÷ ExpectedInstances).",
        error);

    /// <summary>Redis refused ThrottleKit's credentials: no call is made under any failure policy.</summary>
    internal static RedisUnavailableException CredentialsRefused(string bucketName, string key, Exception error) => new(
        $"The rate limit '{bucketName}' is kept in Redis ({key}), which refused ThrottleKit's credentials ({error.GetType().Name}). " +
        "No call is made, whatever the FailurePolicy: failing open would quietly lift the fleet's limit. Check the password or user in the Redis configuration.",
        error);
}
