using System;
using Microsoft.Extensions.Logging;

namespace ThrottleKit;

/// <summary>
/// ThrottleKit's log events (category <c>ThrottleKit</c>, ids 1001+; the adaptive rate's are in <see cref="AdaptiveRateLog"/>). Event ids are stable. Messages carry the service,
/// attempt numbers, delays and exception types, never request contents, addresses, exception messages (SES puts email
/// addresses in them) or credentials. What happens on every throttle is Debug; Information and Warning are for what changes
/// or needs a person, and each of those is let through at most once a second with a count of what it stands for.
/// </summary>
internal static partial class ThrottleKitLog
{
#pragma warning disable CA1873 // Each call is guarded by IsEnabled; the analyzer does not see through the wrapper.
    public static void ThrottleSeen(ThrottleKitTelemetry telemetry, int attempt, string outcomeType)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Debug))
        {
            ThrottleSeen(telemetry.Logger, telemetry.ServiceName, attempt, outcomeType);
        }
    }

    public static void UnsentRetry(ThrottleKitTelemetry telemetry, int attempt, string outcomeType)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Debug))
        {
            UnsentRetry(telemetry.Logger, telemetry.ServiceName, attempt, outcomeType);
        }
    }

    public static void RetriesExhausted(ThrottleKitTelemetry telemetry, int attempts, string outcomeType)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Warning) && telemetry.Exhausted.TryEnter(out var suppressed))
        {
            RetriesExhausted(telemetry.Logger, telemetry.ServiceName, attempts, outcomeType, suppressed);
        }
    }

    public static void TerminalFailure(ThrottleKitTelemetry telemetry, Exception exception)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Debug))
        {
            TerminalFailure(telemetry.Logger, telemetry.ServiceName, exception.GetType().Name);
        }
    }

    public static void QueueFull(ThrottleKitTelemetry telemetry, double? retryAfterMs)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Warning) && telemetry.QueueFull.TryEnter(out var suppressed))
        {
            QueueFull(telemetry.Logger, telemetry.ServiceName, retryAfterMs, suppressed);
        }
    }

    /// <summary>A classifier threw; <paramref name="outcomeType"/> names what it was classifying (an exception's type, or a result's).</summary>
    public static void ClassifierFailed(ThrottleKitTelemetry telemetry, Exception classifierError, string outcomeType)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Warning) && telemetry.ClassifierFailed.TryEnter(out var suppressed))
        {
            ClassifierFailed(telemetry.Logger, telemetry.ServiceName, classifierError.GetType().Name, outcomeType, suppressed);
        }
    }

    public static void BatchItemsExhausted(ThrottleKitTelemetry telemetry, int items, int attempts)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Warning) && telemetry.Exhausted.TryEnter(out var suppressed))
        {
            BatchItemsExhausted(telemetry.Logger, telemetry.ServiceName, items, attempts, suppressed);
        }
    }

    public static void AccountQuotaReadFailed(ThrottleKitTelemetry telemetry, Exception exception)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Warning))
        {
            AccountQuotaReadFailed(telemetry.Logger, telemetry.ServiceName, exception.GetType().Name);
        }
    }
#pragma warning restore CA1873

    [LoggerMessage(EventId = 1001, EventName = "ThrottleSeen", Level = LogLevel.Debug,
        Message = "{Service} throttled attempt {Attempt} ({ExceptionType}).")]
    private static partial void ThrottleSeen(ILogger logger, string service, int attempt, string exceptionType);

    [LoggerMessage(EventId = 1002, EventName = "RetryScheduled", Level = LogLevel.Debug,
        Message = "{Service} retry {Retry} of {MaxRetries} in {DelayMs} ms.")]
    public static partial void RetryScheduled(ILogger logger, string service, int retry, int maxRetries, double delayMs);

    [LoggerMessage(EventId = 1003, EventName = "RetriesExhausted", Level = LogLevel.Warning,
        Message = "{Service} still throttled after {Attempts} attempts; the last throttle is returned ({ExceptionType}). {Suppressed} more like it in the last second.")]
    private static partial void RetriesExhausted(ILogger logger, string service, int attempts, string exceptionType, int suppressed);

    [LoggerMessage(EventId = 1004, EventName = "TerminalFailure", Level = LogLevel.Debug,
        Message = "{Service} call failed with a terminal {ExceptionType}; passed through without retry.")]
    private static partial void TerminalFailure(ILogger logger, string service, string exceptionType);

    [LoggerMessage(EventId = 1005, EventName = "QueueFull", Level = LogLevel.Warning,
        Message = "{Service} call rejected: the rate limiter's queue is full (retry after {RetryAfterMs} ms). {Suppressed} more like it in the last second.")]
    private static partial void QueueFull(ILogger logger, string service, double? retryAfterMs, int suppressed);

    [LoggerMessage(EventId = 1007, EventName = "BatchItemsThrottled", Level = LogLevel.Debug,
        Message = "{Service} throttled {Items} item(s) of a batch; re-sending them (retry {Retry} of {MaxRetries}) in {DelayMs} ms.")]
    public static partial void BatchItemsThrottled(ILogger logger, string service, int items, int retry, int maxRetries, double delayMs);

    [LoggerMessage(EventId = 1008, EventName = "BatchItemsExhausted", Level = LogLevel.Warning,
        Message = "{Service} still throttled {Items} item(s) of a batch after {Attempts} attempts; they end Throttled. {Suppressed} more like it in the last second.")]
    private static partial void BatchItemsExhausted(ILogger logger, string service, int items, int attempts, int suppressed);

    [LoggerMessage(EventId = 1009, EventName = "AccountQuotaRead", Level = LogLevel.Information,
        Message = "{Service} read the account's quota: {Rate:0.##}/s, {Used} of {Max24Hour} used in 24 h.")]
    public static partial void AccountQuotaRead(ILogger logger, string service, double rate, double? used, double? max24Hour);

    [LoggerMessage(EventId = 1010, EventName = "AccountQuotaReadFailed", Level = LogLevel.Warning,
        Message = "{Service} could not read the account's quota ({ExceptionType}); the last reading stays in force.")]
    private static partial void AccountQuotaReadFailed(ILogger logger, string service, string exceptionType);

    [LoggerMessage(EventId = 1011, EventName = "ClassifierFailed", Level = LogLevel.Warning,
        Message = "{Service}: the throttling classifier threw {ClassifierExceptionType} on a {ExceptionType}; the call's exception surfaces unchanged, not retried. {Suppressed} more like it in the last second.")]
    private static partial void ClassifierFailed(ILogger logger, string service, string classifierExceptionType, string exceptionType, int suppressed);

    [LoggerMessage(EventId = 1012, EventName = "UnsentRetry", Level = LogLevel.Debug,
        Message = "{Service} attempt {Attempt} never reached the service ({ExceptionType}); retrying.")]
    private static partial void UnsentRetry(ILogger logger, string service, int attempt, string exceptionType);
}
