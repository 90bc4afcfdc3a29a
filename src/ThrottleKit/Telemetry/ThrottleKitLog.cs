using System;
using Microsoft.Extensions.Logging;
using ThrottleKit.Adaptive;

namespace ThrottleKit.Telemetry;

/// <summary>
/// ThrottleKit's log events. Event ids are stable; messages carry the service, attempt numbers, delays and exception
/// types, never request contents, addresses, exception messages (SES puts email addresses in them) or credentials.
/// </summary>
internal static partial class ThrottleKitLog
{
#pragma warning disable CA1873 // Each call is guarded by IsEnabled; the analyzer does not see through the wrapper.
    public static void ThrottleSeen(ILogger logger, string service, int attempt, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ThrottleSeen(logger, service, attempt, exception.GetType().Name);
        }
    }

    public static void RetriesExhausted(ILogger logger, string service, int attempts, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            RetriesExhausted(logger, service, attempts, exception.GetType().Name);
        }
    }

    public static void TerminalFailure(ILogger logger, string service, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            TerminalFailure(logger, service, exception.GetType().Name);
        }
    }

    public static void AccountQuotaReadFailed(ILogger logger, string service, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            AccountQuotaReadFailed(logger, service, exception.GetType().Name);
        }
    }

#pragma warning restore CA1873

    [LoggerMessage(EventId = 1009, EventName = "AccountQuotaRead", Level = LogLevel.Information,
        Message = "{Service} rate set to {Rate:0.##}/s from the account's quota ({Used} of {Max24Hour} used in 24 h).")]
    public static partial void AccountQuotaRead(ILogger logger, string service, double rate, double? used, double? max24Hour);

    [LoggerMessage(EventId = 1010, EventName = "AccountQuotaReadFailed", Level = LogLevel.Warning,
        Message = "{Service} could not read the account's quota ({ExceptionType}); the last reading stays in force.")]
    private static partial void AccountQuotaReadFailed(ILogger logger, string service, string exceptionType);

    [LoggerMessage(EventId = 1001, EventName = "ThrottleSeen", Level = LogLevel.Information,
        Message = "{Service} throttled attempt {Attempt} ({ExceptionType}).")]
    private static partial void ThrottleSeen(ILogger logger, string service, int attempt, string exceptionType);

    [LoggerMessage(EventId = 1002, EventName = "RetryScheduled", Level = LogLevel.Debug,
        Message = "{Service} retry {Retry} of {MaxRetries} in {DelayMs} ms.")]
    public static partial void RetryScheduled(ILogger logger, string service, int retry, int maxRetries, double delayMs);

    [LoggerMessage(EventId = 1003, EventName = "RetriesExhausted", Level = LogLevel.Warning,
        Message = "{Service} still throttled after {Attempts} attempts; the last throttle is rethrown ({ExceptionType}).")]
    private static partial void RetriesExhausted(ILogger logger, string service, int attempts, string exceptionType);

    [LoggerMessage(EventId = 1004, EventName = "TerminalFailure", Level = LogLevel.Debug,
        Message = "{Service} call failed with a terminal {ExceptionType}; passed through without retry.")]
    private static partial void TerminalFailure(ILogger logger, string service, string exceptionType);

    [LoggerMessage(EventId = 1006, EventName = "RateDecreased", Level = LogLevel.Information,
        Message = "{Service} throttled: rate lowered from {PreviousRate:0.##}/s to {Rate:0.##}/s (read: the service accepted {AcceptedRate:0.##}/s, {Reading}).")]
    public static partial void RateDecreased(ILogger logger, string service, double previousRate, double rate, double acceptedRate, ThrottleReading reading);

    [LoggerMessage(EventId = 1007, EventName = "BatchItemsThrottled", Level = LogLevel.Information,
        Message = "{Service} throttled {Items} item(s) of a batch; re-sending them (retry {Retry} of {MaxRetries}) in {DelayMs} ms.")]
    public static partial void BatchItemsThrottled(ILogger logger, string service, int items, int retry, int maxRetries, double delayMs);

    [LoggerMessage(EventId = 1008, EventName = "BatchItemsExhausted", Level = LogLevel.Warning,
        Message = "{Service} still throttled {Items} item(s) of a batch after {Attempts} attempts; they end Throttled.")]
    public static partial void BatchItemsExhausted(ILogger logger, string service, int items, int attempts);

    [LoggerMessage(EventId = 1005, EventName = "QueueFull", Level = LogLevel.Warning,
        Message = "{Service} call rejected: the rate limiter's queue is full (retry after {RetryAfterMs} ms).")]
    public static partial void QueueFull(ILogger logger, string service, double? retryAfterMs);
}
