using Microsoft.Extensions.Logging;

namespace ThrottleKit;

/// <summary>The adaptive rate's log events, in the numbering and the once-a-second manner of <see cref="ThrottleKitLog"/>.</summary>
internal static partial class AdaptiveRateLog
{
    public static void RateDecreased(ThrottleKitTelemetry telemetry, double previousRate, double rate, double acceptedRate, ThrottleReading reading)
    {
        if (telemetry.Logger.IsEnabled(LogLevel.Information) && telemetry.RateChanged.TryEnter(out var suppressed))
        {
            RateDecreased(telemetry.Logger, telemetry.ServiceName, previousRate, rate, acceptedRate, reading, suppressed);
        }
    }

    [LoggerMessage(EventId = 1006, EventName = "RateDecreased", Level = LogLevel.Information,
        Message = "{Service} throttled: rate lowered from {PreviousRate:0.##}/s to {Rate:0.##}/s (read: the service accepted {AcceptedRate:0.##}/s, {Reading}). {Suppressed} more decreases in the last second.")]
    private static partial void RateDecreased(ILogger logger, string service, double previousRate, double rate, double acceptedRate, ThrottleReading reading, int suppressed);
}
