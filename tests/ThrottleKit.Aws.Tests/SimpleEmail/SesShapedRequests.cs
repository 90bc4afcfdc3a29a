using System.Collections.Generic;
using Amazon.Runtime;

// Stand-ins with the shape and names of the SES v1 and v2 request models (AWSSDK.SimpleEmail is not served here).
// ThrottleKit reads them by shape, as it reads the real ones.
namespace ThrottleKit.Aws.Tests.SimpleEmail.Ses
{
    public sealed class Destination
    {
        public List<string>? ToAddresses { get; set; }

        public List<string>? CcAddresses { get; set; }

        public List<string>? BccAddresses { get; set; }
    }

    public sealed class BulkEmailDestination
    {
        public Destination? Destination { get; set; }
    }

    public sealed class SendEmailRequest : AmazonWebServiceRequest
    {
        public Destination? Destination { get; set; }

        public string? Source { get; set; }
    }

    public sealed class RawMessage
    {
        public System.IO.MemoryStream? Data { get; set; }
    }

    public sealed class SendRawEmailRequest : AmazonWebServiceRequest
    {
        public List<string>? Destinations { get; set; }

        public RawMessage? RawMessage { get; set; }
    }

    public sealed class SendBulkTemplatedEmailRequest : AmazonWebServiceRequest
    {
        public List<BulkEmailDestination>? Destinations { get; set; }
    }

    public sealed class GetSendQuotaRequest : AmazonWebServiceRequest
    {
    }
}

namespace ThrottleKit.Aws.Tests.SimpleEmail.SesV2
{
    public sealed class BulkEmailEntry
    {
        public Ses.Destination? Destination { get; set; }
    }

    public sealed class SendBulkEmailRequest : AmazonWebServiceRequest
    {
        public List<BulkEmailEntry>? BulkEmailEntries { get; set; }
    }

    public sealed class EmailContent
    {
        public Ses.RawMessage? Raw { get; set; }
    }

    public sealed class SendEmailRequest : AmazonWebServiceRequest
    {
        public Ses.Destination? Destination { get; set; }

        public EmailContent? Content { get; set; }
    }
}
