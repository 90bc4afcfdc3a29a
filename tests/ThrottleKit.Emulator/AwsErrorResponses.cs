using System;
using System.Globalization;
using System.Security;

namespace ThrottleKit.Emulator;

/// <summary>The exact wire shapes of the answers, as Amazon SES (awsQuery) and Amazon Connect Campaigns (rest-json) send them.</summary>
internal static class AwsErrorResponses
{
    public const string QueryContentType = "text/xml";
    public const string JsonContentType = "application/x-amz-json-1.1";

    public static string QueryError(string type, string code, string message, string requestId) =>
        "<ErrorResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n" +
        $"  <Error><Type>{type}</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error>\n" +
        $"  <RequestId>{requestId}</RequestId>\n" +
        "</ErrorResponse>";

    public static string QuerySuccess(string action, string requestId)
    {
        var result = action == "GetCallerIdentity"
            ? "<Arn>arn:aws:iam::123456789012:user/emulator</Arn><UserId>AIDAEMULATOREXAMPLE</UserId><Account>123456789012</Account>"
            : string.Empty;
        return $"<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n" +
            $"  <{action}Result>{result}</{action}Result>\n" +
            $"  <ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata>\n" +
            $"</{action}Response>";
    }

    public static string JsonSuccess(string operation) => operation switch
    {
        "GetParameter" => "{\"Parameter\":{\"Name\":\"emulated\",\"Type\":\"String\",\"Value\":\"ok\",\"Version\":1}}",
        _ => "{}",
    };

    public static string JsonError(string message) => "{\"message\":\"" + message.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "SQS's checksum of a message body is MD5; the client checks it.")]
    public static string Md5Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    public static string NewRequestId() => Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
}
