using System;
using System.Net.Mail;
using Amazon.Runtime;
using ThrottleKit.Classification;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws.SimpleEmail;

/// <summary>
/// Tells Amazon SES's per-second throttle, which a later attempt gets past, from its 24-hour quota, which it cannot:
/// both arrive with the error code <c>Throttling</c> (HTTP API) or the reply <c>454 Throttling failure</c> (SMTP).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Throttling</c> / "Maximum sending rate exceeded." and SES v2's <c>TooManyRequestsException</c>: retriable.</item>
/// <item>"Daily message quota exceeded.": terminal; retrying cannot succeed for hours.</item>
/// <item><see cref="SmtpException"/> with reply 454 and "Maximum sending rate exceeded": retriable; with the daily quota: terminal.</item>
/// <item>Anything else (MessageRejected, an unverified address, 5xx, timeouts, dropped connections): unknown, so terminal.
/// An ambiguous failure may have delivered the message, and retrying it could send it twice.</item>
/// </list>
/// </remarks>
public sealed class SimpleEmailThrottlingClassifier : IThrottlingClassifier
{
    private const string DailyQuota = "Daily message quota exceeded";
    private const string SendingRate = "Maximum sending rate exceeded";
    private const int SmtpThrottlingReply = 454;

    /// <summary>Gets the shared instance; the classifier has no state.</summary>
    public static SimpleEmailThrottlingClassifier Instance { get; } = new();

    private SimpleEmailThrottlingClassifier()
    {
    }

    /// <inheritdoc />
    public ThrottlingClassification Classify(Exception exception)
    {
        switch (exception)
        {
            case null:
                throw new ArgumentNullException(nameof(exception));
            case AmazonServiceException service when Is(service.ErrorCode, "Throttling") || Is(service.ErrorCode, "TooManyRequestsException"):
                return Mentions(service.Message, DailyQuota) ? ThrottlingClassification.Terminal : ThrottlingClassification.Retriable;
            case AmazonServiceException service when Mentions(service.Message, DailyQuota):
                return ThrottlingClassification.Terminal;
            case SmtpException smtp when (int)smtp.StatusCode == SmtpThrottlingReply || Mentions(smtp.Message, "Throttling failure"):
                if (Mentions(smtp.Message, DailyQuota))
                {
                    return ThrottlingClassification.Terminal;
                }

                return Mentions(smtp.Message, SendingRate) ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown;
            default:
                return ThrottlingClassification.Unknown;
        }
    }

    private static bool Is(string? errorCode, string expected) => string.Equals(errorCode, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Mentions(string? message, string text) => Guard.Mentions(message, text);
}
