using System;
using System.Linq;
using Microsoft.Extensions.Logging;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>ThrottleKit.Aws's log events (category <c>ThrottleKit</c>, ids 1201+). Never a whole message: SES puts addresses in them.</summary>
internal static partial class AwsLog
{
    private const int MaxWords = 6;

    [LoggerMessage(EventId = 1201, EventName = "UnknownThrottleWording", Level = LogLevel.Warning,
        Message = "A throttle coded {ErrorCode} came with a wording ThrottleKit does not know (\"{FirstWords} …\"); it is retried as a send-rate throttle. Tell ThrottleKit's maintainers if SES uses it.")]
    public static partial void UnknownThrottleWording(ILogger logger, string errorCode, string firstWords);

    [LoggerMessage(EventId = 1202, EventName = "ConfigurationApplied", Level = LogLevel.Information,
        Message = "ThrottleKit took up a configuration change: {Services} service(s), their rates and backoff in force from now on.")]
    public static partial void ConfigurationApplied(ILogger logger, int services);

    [LoggerMessage(EventId = 1203, EventName = "ConfigurationRefused", Level = LogLevel.Warning,
        Message = "ThrottleKit refused a configuration change and keeps the last valid settings: {Reason}")]
    public static partial void ConfigurationRefused(ILogger logger, string reason);

#pragma warning disable CA1873 // Guarded by IsEnabled; the analyzer does not see through the wrapper.
    public static void ClockSkewCorrected(ILogger logger, string service, Uri endpoint)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var key = endpoint.ToString();
            ClockSkewCorrected(logger, service, Amazon.Runtime.CorrectClockSkew.GetClockCorrectionForEndpoint(key).TotalSeconds, key);
        }
    }
#pragma warning restore CA1873

    [LoggerMessage(EventId = 1204, EventName = "ClockSkewCorrected", Level = LogLevel.Information,
        Message = "{Service}: the service's clock is {CorrectionSeconds:0.#} s from ours; requests to {Endpoint} are signed with the corrected time from now on.")]
    private static partial void ClockSkewCorrected(ILogger logger, string service, double correctionSeconds, string endpoint);

    /// <summary>The first few words of <paramref name="message"/>, with every word that could be an address left out.</summary>
    public static string FirstWords(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return string.Empty;
        }

        var words = message!.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Take(MaxWords)
            .Select(word => Guard.Mentions(word, "@") ? "[address]" : word);
        return string.Join(" ", words);
    }

    [LoggerMessage(EventId = 1205, EventName = "AccountUnknown", Level = LogLevel.Information,
        Message = "{Bucket}: the credentials of these calls name no account and none is configured, so they share the Region's one bucket for the service; set ThrottleKit:AccountId (or use credentials that carry their AccountId) to keep several accounts' quotas apart.")]
    public static partial void AccountUnknown(ILogger logger, string bucket);

    [LoggerMessage(EventId = 1207, EventName = "AccountSplit", Level = LogLevel.Warning,
        Message = "{Service} in {Region}: some calls' credentials name their account and some name none (an AssumeRole session refreshed asynchronously, an EC2 instance role), so they spend two buckets ('*' and the account's) and together may exceed one quota; set ThrottleKit:AccountId (or AWS_ACCOUNT_ID) so that they share the account's.")]
    public static partial void AccountSplit(ILogger logger, string service, string region);

    [LoggerMessage(EventId = 1206, EventName = "IdleBucketsEvicted", Level = LogLevel.Debug,
        Message = "{Service}: {Count} bucket(s) unused for {IdleTimeout} let go.")]
    public static partial void IdleBucketsEvicted(ILogger logger, string service, int count, TimeSpan idleTimeout);
}
