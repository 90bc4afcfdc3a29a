using System;

namespace ThrottleKit.Redis;

/// <summary>Settings of a <see cref="RedisTokenBucketRateLimiter"/>. Bindable from configuration.</summary>
public sealed class RedisRateLimiterOptions
{
    /// <summary>Gets or sets the prefix of every key; the bucket of service <c>SES</c> is <c>{prefix}:{SES}</c>. Default <c>throttlekit</c>.</summary>
    public string KeyPrefix { get; set; } = "throttlekit";

    /// <summary>Gets or sets what happens while Redis cannot be reached. Default <see cref="RedisFailurePolicy.FailOpen"/>.</summary>
    public RedisFailurePolicy FailurePolicy { get; set; } = RedisFailurePolicy.FailOpen;

    /// <summary>
    /// Gets or sets how many processes share the quota. While Redis is down and <see cref="FailurePolicy"/> is
    /// <see cref="RedisFailurePolicy.FailOpen"/>, each process limits itself to the rate divided by this. Default 1.
    /// </summary>
    public int ExpectedInstances { get; set; } = 1;

    /// <summary>
    /// Gets or sets whether the script reads the time from Redis (<c>TIME</c>), one clock for the whole fleet. Set it off for
    /// a managed Redis that forbids <c>TIME</c> in scripts: each process then sends its own clock, which must be kept in sync
    /// (NTP), as any skew between processes shifts their share. Default on.
    /// </summary>
    public bool UseRedisTime { get; set; } = true;

    /// <summary>Gets or sets how long a bucket's key outlives the moment the bucket is full again, so idle buckets vanish. Default one minute.</summary>
    public TimeSpan KeyExpiry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long after a Redis failure the limiter stays on its fallback before trying Redis again. Default one second.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the exception names it and its value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.IndexOfAny(['{', '}']) >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(KeyPrefix), KeyPrefix, $"{nameof(KeyPrefix)} must be non-empty and free of braces (they mark the hash tag).");
        }

        if (FailurePolicy is not (RedisFailurePolicy.FailOpen or RedisFailurePolicy.FailClosed))
        {
            throw new ArgumentOutOfRangeException(nameof(FailurePolicy), FailurePolicy, $"{nameof(FailurePolicy)} must be FailOpen or FailClosed.");
        }

        if (ExpectedInstances < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpectedInstances), ExpectedInstances, $"{nameof(ExpectedInstances)} must be at least 1.");
        }

        if (KeyExpiry < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(KeyExpiry), KeyExpiry, $"{nameof(KeyExpiry)} must be at least one second.");
        }

        if (RetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryInterval), RetryInterval, $"{nameof(RetryInterval)} must be positive.");
        }
    }
}
