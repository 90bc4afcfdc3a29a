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
}
