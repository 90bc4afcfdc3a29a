using System;
using Microsoft.Extensions.Logging;

namespace ThrottleKit.Redis;

/// <summary>The Redis backend's log events (category <c>ThrottleKit</c>, ids 1101+); exception types only, never messages.</summary>
internal static partial class RedisLog
{
    public static void Unavailable(ILogger logger, string bucket, RedisFailurePolicy policy, double fallbackRate, Exception? error)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            Unavailable(logger, bucket, policy, fallbackRate, error?.GetType().Name ?? "not connected");
        }
    }

    [LoggerMessage(EventId = 1101, EventName = "RedisUnavailable", Level = LogLevel.Warning,
        Message = "{Bucket}: Redis cannot be reached ({Cause}); every bucket on the connection follows {Policy} (this one's fallback rate {FallbackRate:0.##}/s) until a probe finds it answering.")]
    private static partial void Unavailable(ILogger logger, string bucket, RedisFailurePolicy policy, double fallbackRate, string cause);

    public static void Refused(ILogger logger, Exception error)
    {
        if (logger.IsEnabled(LogLevel.Error))
        {
            Refused(logger, error.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 1103, EventName = "RedisRefusedCredentials", Level = LogLevel.Error,
        Message = "Redis refused ThrottleKit's credentials ({Cause}); every acquire on the connection fails with RedisUnavailableException, whatever the failure policy, until they are fixed: failing open would quietly lift the fleet's limit. Check the password or user in the Redis configuration.")]
    private static partial void Refused(ILogger logger, string cause);

    [LoggerMessage(EventId = 1102, EventName = "RedisRecovered", Level = LogLevel.Information,
        Message = "Redis answers again; the shared buckets are back in use.")]
    public static partial void Recovered(ILogger logger);
}
