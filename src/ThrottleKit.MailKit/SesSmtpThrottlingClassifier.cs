using System;
using MailKit.Net.Smtp;
using ThrottleKit.Internal;

namespace ThrottleKit.MailKit;

/// <summary>
/// Tells Amazon SES's SMTP throttle from its daily quota, as MailKit reports them: an <see cref="SmtpCommandException"/>
/// with reply 454 after DATA. "Maximum sending rate exceeded" is <b>retriable</b>; "Daily message quota exceeded" is
/// <b>terminal</b>; every other reply and every other failure (a rejected address, a dropped connection, a timeout) is
/// unknown, so terminal — the message may have been taken, and sending it again could deliver it twice. The one exception
/// is a 421: the server ends the session (after its number of messages per connection, or going down) without taking the
/// message, which is <b>unsent</b>, so it goes again on a new connection.
/// </summary>
/// <remarks>
/// The reply's number decides, not MailKit's name for it: MailKit calls 454 <c>TemporaryAuthenticationFailure</c>.
/// </remarks>
public sealed class SesSmtpThrottlingClassifier : IThrottlingClassifier
{
    /// <summary>Gets the classifier; it holds no state.</summary>
    public static SesSmtpThrottlingClassifier Instance { get; } = new();

    private SesSmtpThrottlingClassifier()
    {
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public ThrottlingClassification Classify(Exception exception) => Guard.NotNull(exception) switch
    {
        // 421: the server ends the session (after its number of messages, or going down) before it took the message.
        SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable } => ThrottlingClassification.Unsent,
        SmtpCommandException reply => SesQuotaWording.ClassifySmtpReply((int)reply.StatusCode, reply.Message),
        _ => ThrottlingClassification.Unknown,
    };
}
