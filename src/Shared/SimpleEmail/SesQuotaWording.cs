namespace ThrottleKit.Internal;

/// <summary>
/// The words Amazon SES answers its quotas with, on every path (the API, whatever the code; SMTP, after reply 454). The AWS
/// and MailKit packages both tell SES's per-second throttle from its 24-hour quota by them.
/// </summary>
internal static class SesQuotaWording
{
    /// <summary>SMTP's "transient failure" reply, with which SES answers both quotas after DATA.</summary>
    public const int SmtpThrottlingReply = 454;

    private const string SendingRate = "Maximum sending rate exceeded";

    /// <summary>Whether <paramref name="message"/> says the per-second sending rate was exceeded.</summary>
    public static bool IsSendingRate(string? message) => Guard.Mentions(message, SendingRate);

    /// <summary>Whether <paramref name="message"/> says the 24-hour quota is spent, in either wording SES has used.</summary>
    public static bool IsDailyQuota(string? message)
        => Guard.Mentions(message, "Daily message quota exceeded") || Guard.Mentions(message, "Daily sending quota exceeded");

    /// <summary>
    /// An SMTP reply as SES means it: 454 with the send-rate words is retriable, with the daily-quota words terminal; any other
    /// reply is unknown, so terminal (the message may have been taken).
    /// </summary>
    public static ThrottlingClassification ClassifySmtpReply(int status, string? message)
        => status != SmtpThrottlingReply && !Guard.Mentions(message, "Throttling failure") ? ThrottlingClassification.Unknown
            : IsDailyQuota(message) ? ThrottlingClassification.Terminal
            : IsSendingRate(message) ? ThrottlingClassification.Retriable
            : ThrottlingClassification.Unknown;
}
