using System;
using System.Globalization;
using System.Security;
using System.Text.Json;

namespace ThrottleKit.Testing;

/// <summary>The wire shapes of the answers, as Amazon SES (awsQuery, restJson), Amazon Connect Campaigns (restJson) and the awsJson services send them.</summary>
internal static class AwsWire
{
    public const string QueryContentType = "text/xml";
    public const string JsonContentType = "application/json";

    private const string SesNamespace = "http://ses.amazonaws.com/doc/2010-12-01/";
    private const string StsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static string QueryError(string type, string code, string message, string requestId) =>
        $"<ErrorResponse xmlns=\"{SesNamespace}\">\n" +
        $"  <Error><Type>{type}</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error>\n" +
        $"  <RequestId>{requestId}</RequestId>\n" +
        "</ErrorResponse>";

    /// <summary>A success answer of an awsQuery action: SES's own (by its API version) or an STS stand-in's.</summary>
    public static string QuerySuccess(string action, string version, string requestId, string result)
    {
        var ns = version == "2011-06-15" ? StsNamespace : SesNamespace;
        return $"<{action}Response xmlns=\"{ns}\">\n" +
            $"  <{action}Result>{result}</{action}Result>\n" +
            $"  <ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata>\n" +
            $"</{action}Response>";
    }

    public static string QueryResult(string action, string messageId, double maxSendRate, long? max24HourSend, long sentLast24Hours) => action switch
    {
        "SendEmail" or "SendRawEmail" or "SendTemplatedEmail" or "SendCustomVerificationEmail" => $"<MessageId>{messageId}</MessageId>",
        "GetSendQuota" => string.Create(CultureInfo.InvariantCulture, $"<SentLast24Hours>{sentLast24Hours:0.0}</SentLast24Hours><Max24HourSend>{max24HourSend ?? -1:0.0}</Max24HourSend><MaxSendRate>{maxSendRate:0.0##}</MaxSendRate>"),
        _ => string.Empty,
    };

    /// <summary>GetCallerIdentity's result: whose the credentials are.</summary>
    public static string CallerIdentity(string account) =>
        $"<Arn>arn:aws:iam::{SecurityElement.Escape(account)}:user/emulator</Arn><UserId>AIDAEMULATOREXAMPLE</UserId><Account>{SecurityElement.Escape(account)}</Account>";

    /// <summary>AssumeRole's (and AssumeRoleWithWebIdentity's) result: the session's credentials and the assumed role's ARN.</summary>
    public static string RoleSession(string accessKey, DateTimeOffset expiration, string account, string role, string session) =>
        "<Credentials>" +
        $"<AccessKeyId>{accessKey}</AccessKeyId><SecretAccessKey>emulator-session-secret</SecretAccessKey>" +
        $"<SessionToken>emulator-session-token-{accessKey}</SessionToken>" +
        $"<Expiration>{expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</Expiration>" +
        "</Credentials>" +
        $"<AssumedRoleUser><AssumedRoleId>AROAEMULATOREXAMPLE:{SecurityElement.Escape(session)}</AssumedRoleId>" +
        $"<Arn>arn:aws:sts::{SecurityElement.Escape(account)}:assumed-role/{SecurityElement.Escape(role)}/{SecurityElement.Escape(session)}</Arn></AssumedRoleUser>";

    public static string RestXmlError(string code, string message, string requestId) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message><RequestId>{requestId}</RequestId></Error>";

    public static string JsonError(string message) => JsonSerializer.Serialize(new { message });

    public static string NewRequestId() => Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);

    public static string NewMessageId() => $"0100{Guid.NewGuid():N}-000000";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "SQS's checksum of a message body is MD5; the client checks it.")]
    public static string Md5Hex(string text) => Md5Hex(System.Text.Encoding.UTF8.GetBytes(text));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "S3's ETag of an object is MD5; the client reads it.")]
    public static string Md5Hex(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));

    /// <summary>The message of a signature refused for its time, as SigV4 words it.</summary>
    public static string SignatureExpired(DateTimeOffset signedAt, DateTimeOffset serverNow, TimeSpan maxAge)
    {
        static string Basic(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var minutes = maxAge.TotalMinutes.ToString("0", CultureInfo.InvariantCulture);
        return signedAt < serverNow
            ? $"Signature expired: {Basic(signedAt)} is now earlier than {Basic(serverNow - maxAge)} ({Basic(serverNow)} - {minutes} min.)"
            : $"Signature not yet current: {Basic(signedAt)} is still later than {Basic(serverNow + maxAge)} ({Basic(serverNow)} + {minutes} min.)";
    }
}
