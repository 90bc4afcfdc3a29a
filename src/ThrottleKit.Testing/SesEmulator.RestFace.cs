using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace ThrottleKit.Testing;

// The REST face (S3 as a stand-in): object bodies checked against their signature, answered as XML.
public sealed partial class SesEmulator
{
    private async Task AnswerRestAsync(HttpContext context, EmulatorOutcome outcome, byte[] content)
    {
        if (!await ApplyTransportFaultAsync(context, outcome).ConfigureAwait(false))
        {
            return;
        }

        var response = context.Response;
        if (outcome == EmulatorOutcome.Accepted)
        {
            // S3's ETag of a single-part object is the MD5 of what it stored.
            response.Headers.ETag = "\"" + AwsWire.Md5Hex(content) + "\"";
            return;
        }

        // As S3 answers a rate it will not take: 503 SlowDown.
        var (status, code, message) = outcome == EmulatorOutcome.ServerError
            ? (500, "InternalError", "We encountered an internal error. Please try again.")
            : (503, "SlowDown", "Please reduce your request rate.");
        response.StatusCode = status;
        response.ContentType = "application/xml";
        await response.WriteAsync(AwsWire.RestXmlError(code, message, response.Headers["x-amzn-RequestId"].ToString()), context.RequestAborted).ConfigureAwait(false);
    }
}
