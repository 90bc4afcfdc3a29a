namespace ThrottleKit.Redis;

/// <summary>What a <see cref="RedisGcraRateLimiter"/> does while Redis cannot be reached.</summary>
public enum RedisFailurePolicy
{
    /// <summary>
    /// Keep calling, under a local limiter at the rate divided by <see cref="RedisRateLimiterOptions.ExpectedInstances"/>, so
    /// that the fleet as a whole stays near its quota; logged once, and Redis is used again as soon as it answers.
    /// </summary>
    FailOpen,

    /// <summary>Refuse every acquire with <see cref="RedisUnavailableException"/>; no call is made until Redis answers again.</summary>
    FailClosed,
}
