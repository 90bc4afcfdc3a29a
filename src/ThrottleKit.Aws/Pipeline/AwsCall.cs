using System;
using System.Globalization;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Util;

namespace ThrottleKit.Aws;

/// <summary>
/// One call of a wrapped client, attempt by attempt: what the SDK's retry handler does before each attempt (the attempt
/// headers, the retry count, a rewound body), a fresh signature on every retry, and the clock-skew correction.
/// </summary>
internal sealed class AwsCall<T>(ThrottlingRetryHandler handler, IExecutionContext executionContext, string serviceKey, int maxAttempts, bool synchronous)
    where T : AmazonWebServiceResponse, new()
{
    private int _attempts;

    public async ValueTask<T> AttemptAsync()
    {
        Prepare(_attempts++);
        try
        {
            return await SendAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (ClockSkew.TryCorrect(executionContext, handler.SdkRetryPolicy, error))
        {
            // The service refused the signature's time, not the request: the same permit covers sending it again, now.
            AwsLog.ClockSkewCorrected(handler.Services.Logger, serviceKey, executionContext.RequestContext.Request.Endpoint);
            Resend();
            return await SendAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<T> SendAsync()
    {
        if (synchronous)
        {
            handler.Send(executionContext);
            return default!;
        }

        return await handler.SendAsync<T>(executionContext).ConfigureAwait(false);
    }

    private void Prepare(int attempt)
    {
        var requestContext = executionContext.RequestContext;
        if (requestContext.Request is { } request)
        {
            // Services and proxies recognise a retry by these, as they do the SDK's own.
            request.Headers["amz-sdk-invocation-id"] = requestContext.InvocationId.ToString();
            request.Headers["amz-sdk-request"] = "attempt=" + (attempt + 1).ToString(CultureInfo.InvariantCulture) + "; max=" + maxAttempts.ToString(CultureInfo.InvariantCulture);
        }

        if (attempt > 0)
        {
            requestContext.Retries++;
            Resend();
        }
    }

    /// <summary>
    /// Readies the request to go out again: signed afresh with the current (corrected) time, whatever the client's
    /// <c>ResignRetries</c> says — a retry that waited in a queue must not carry a stale signature — and its body rewound.
    /// </summary>
    private void Resend()
    {
        var requestContext = executionContext.RequestContext;
        requestContext.IsSigned = false;
        if (requestContext.Request is not { ContentStream: { } stream } request)
        {
            return;
        }

        if (!stream.CanSeek || request.OriginalStreamPosition < 0)
        {
            throw new NotSupportedException(
                $"ThrottleKit cannot send the {requestContext.RequestName} request again: its body is a stream that cannot be rewound. " +
                "Give the request a seekable stream (a MemoryStream or a FileStream) to let throttles be retried.");
        }

        (stream as HashStream)?.Reset();
        stream.Position = request.OriginalStreamPosition;
    }
}
