using System;
using System.Collections.Concurrent;
using System.Net.Mail;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// Tells Amazon SES's per-second throttle, which a later attempt gets past, from its 24-hour quota, which it cannot. SES
/// has answered both under several codes over the years and across its APIs (<c>Throttling</c>, <c>ThrottlingException</c>,
/// v2's <c>TooManyRequestsException</c> and <c>LimitExceededException</c>), always with the same words, so the message decides.
/// </summary>
/// <remarks>
/// The rule, for SES v1 and v2 alike:
/// <list type="bullet">
/// <item>A daily-quota message — "Daily message quota exceeded" or "Daily sending quota exceeded", in any case, with or
/// without the final period — is <b>terminal</b> under any code: retrying cannot succeed for hours.</item>
/// <item>A send-rate message ("Maximum sending rate exceeded") is <b>retriable</b> under any code of the AWS SDK's throttling
/// list (<see cref="ThrottlingErrorCodes"/>: <c>Throttling</c>, <c>ThrottlingException</c>, <c>TooManyRequestsException</c> …).</item>
/// <item>Any other message under a code of that list is <b>retriable</b>, and logged once per code and wording as a warning
/// (event 1201, its first words, addresses left out): a wording SES starts to use is noticed without dropping sends.</item>
/// <item>SMTP (<see cref="SmtpException"/>): reply 454 with the send-rate message is retriable, with a daily-quota message terminal.</item>
/// <item>Everything else (<c>MessageRejected</c>, an unverified address, a bad request, 5xx, timeouts, dropped connections) is
/// unknown, so terminal: an ambiguous failure may have delivered the message, and retrying it could send it twice.</item>
/// </list>
/// </remarks>
public sealed class SimpleEmailThrottlingClassifier : IThrottlingClassifier
{
    /// <summary>The AWS SDK's throttling error codes (its <c>RetryPolicy.ThrottlingErrorCodes</c>), compared case-insensitively.</summary>
    public static System.Collections.Generic.IReadOnlyCollection<string> ThrottlingErrorCodes { get; } =
    [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    ];

    // Distinct wordings are few; the cap keeps a storm of ever-new messages from growing the set without end.
    private const int MaxRememberedWordings = 64;

    private static readonly System.Collections.Generic.HashSet<string> ThrottlingCodes = new(ThrottlingErrorCodes, StringComparer.OrdinalIgnoreCase);

    private readonly ILogger? _logger;
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);

    /// <summary>Creates a classifier.</summary>
    /// <param name="logger">Where a throttle with a wording the classifier does not know is reported, once per code and wording; nowhere when <see langword="null"/>.</param>
    public SimpleEmailThrottlingClassifier(ILogger? logger = null) => _logger = logger;

    /// <summary>Gets a classifier that reports nothing; stateless but for that.</summary>
    public static SimpleEmailThrottlingClassifier Instance { get; } = new();

    /// <inheritdoc />
    public ThrottlingClassification Classify(Exception exception)
    {
        switch (exception)
        {
            case null:
                throw new ArgumentNullException(nameof(exception));
            case AmazonServiceException service:
                if (SesQuotaWording.IsDailyQuota(service.Message))
                {
                    return ThrottlingClassification.Terminal;
                }

                if (service.ErrorCode is not { } code || !ThrottlingCodes.Contains(code))
                {
                    return ThrottlingClassification.Unknown;
                }

                if (!SesQuotaWording.IsSendingRate(service.Message))
                {
                    ReportUnknownWording(code, service.Message);
                }

                return ThrottlingClassification.Retriable;
            case SmtpException smtp:
                return SesQuotaWording.ClassifySmtpReply((int)smtp.StatusCode, smtp.Message);
            default:
                return ThrottlingClassification.Unknown;
        }
    }

    /// <summary>
    /// Classifies one destination's status in a bulk send's answer (SES v1 <c>BulkEmailStatus</c>, v2 <c>BULK_EMAIL_STATUS</c>;
    /// case and underscores do not matter): <c>AccountThrottled</c> is retriable, <c>Success</c> is not a failure, every other
    /// status terminal, including <c>AccountDailyQuotaExceeded</c> and <c>TransientFailure</c> (the message may have gone).
    /// </summary>
    /// <param name="status">The status, e.g. <c>AccountThrottled</c> or <c>ACCOUNT_THROTTLED</c>.</param>
    /// <returns><see cref="ThrottlingClassification.Unknown"/> for success, retriable for a throttle, terminal for the rest.</returns>
    public static ThrottlingClassification ClassifyBulkStatus(string? status)
    {
        var normalized = status?.Replace("_", string.Empty);
        if (string.Equals(normalized, "Success", StringComparison.OrdinalIgnoreCase))
        {
            return ThrottlingClassification.Unknown;
        }

        return string.Equals(normalized, "AccountThrottled", StringComparison.OrdinalIgnoreCase)
            ? ThrottlingClassification.Retriable
            : ThrottlingClassification.Terminal;
    }

    private void ReportUnknownWording(string code, string? message)
    {
        if (_logger is null || !_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var words = AwsLog.FirstWords(message);
        if (_reported.Count < MaxRememberedWordings && _reported.TryAdd(code + "\n" + words, true))
        {
            AwsLog.UnknownThrottleWording(_logger, code, words);
        }
    }
}
