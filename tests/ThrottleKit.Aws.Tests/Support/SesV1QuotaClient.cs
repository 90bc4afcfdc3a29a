using System;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;
using Amazon.SecurityToken;
using Amazon.Util;

namespace ThrottleKit.Aws.Tests.Support;

/// <summary>
/// An STS client (awsQuery, like SES v1) that also has SES's <c>GetSendQuotaAsync(GetSendQuotaRequest, CancellationToken)</c>,
/// made the way the SDK makes every operation (a marshaller, an unmarshaller, <c>InvokeAsync</c>), so that it runs through
/// the client's real pipeline: AWSSDK.SimpleEmail is not served here, and ThrottleKit finds SES's operation by its shape.
/// </summary>
internal sealed class SesV1QuotaClient(AWSCredentials credentials, AmazonSecurityTokenServiceConfig config)
    : AmazonSecurityTokenServiceClient(credentials, config)
{
    public Task<GetSendQuotaResponse> GetSendQuotaAsync(GetSendQuotaRequest request, CancellationToken cancellationToken = default)
        => InvokeAsync<GetSendQuotaResponse>(
            request,
            new InvokeOptions { RequestMarshaller = new GetSendQuotaMarshaller(), ResponseUnmarshaller = new GetSendQuotaUnmarshaller() },
            cancellationToken);

    public sealed class GetSendQuotaRequest : AmazonWebServiceRequest;

    /// <summary>The figures as SDK v4 types them: nullable.</summary>
    public sealed class GetSendQuotaResponse : AmazonWebServiceResponse
    {
        public double? Max24HourSend { get; set; }

        public double? MaxSendRate { get; set; }

        public double? SentLast24Hours { get; set; }
    }

    private sealed class GetSendQuotaMarshaller : IMarshaller<IRequest, AmazonWebServiceRequest>
    {
        public IRequest Marshall(AmazonWebServiceRequest input)
        {
            var request = new DefaultRequest(input, "Amazon.SimpleEmail") { HttpMethod = "POST" };
            request.Parameters["Action"] = "GetSendQuota";
            request.Parameters["Version"] = "2010-12-01";
            ((IRequest)request).ContentStream = AWSSDKUtils.WriteParametersToPooledStream(request);
            return request;
        }
    }

    private sealed class GetSendQuotaUnmarshaller : XmlResponseUnmarshaller
    {
        public override AmazonWebServiceResponse Unmarshall(XmlUnmarshallerContext context)
        {
            var response = new GetSendQuotaResponse();
            while (context.Read())
            {
                if (!context.IsStartElement)
                {
                    continue;
                }

                if (context.TestExpression("Max24HourSend"))
                {
                    response.Max24HourSend = DoubleUnmarshaller.Instance.Unmarshall(context);
                }
                else if (context.TestExpression("MaxSendRate"))
                {
                    response.MaxSendRate = DoubleUnmarshaller.Instance.Unmarshall(context);
                }
                else if (context.TestExpression("SentLast24Hours"))
                {
                    response.SentLast24Hours = DoubleUnmarshaller.Instance.Unmarshall(context);
                }
            }

            return response;
        }

        public override AmazonServiceException UnmarshallException(XmlUnmarshallerContext context, Exception innerException, HttpStatusCode statusCode)
        {
            var error = XmlErrorResponseUnmarshaller.GetInstance().Unmarshall(context);
            return new AmazonServiceException(error.Message, innerException, error.Type, error.Code, error.RequestId, statusCode);
        }
    }
}
