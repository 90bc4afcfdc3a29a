using System;
using System.Collections.Generic;
using Amazon.Runtime;

namespace ThrottleKit.Aws;

/// <summary>
/// What the AWS SDK's own retry does first, kept for a wrapped client: a request refused because its signing time is too far
/// from the service's clock teaches the client the service's time for that endpoint, so every later request to it is signed
/// right, and is sent again at once, re-signed. The SDK keeps the correction itself (<c>CorrectClockSkew</c>), and only its
/// <see cref="RetryPolicy.Retry(IExecutionContext, Exception)"/> can store one, so the decision is the SDK's own, made by the
/// retry policy of the client's replaced retry handler.
/// </summary>
internal static class ClockSkew
{
    // The codes the SDK's RetryPolicy looks at for clock skew in any AWSSDK.Core 4 (4.0.102 added AccessDeniedException); the
    // policy itself decides, this only spares it every other failure. A HEAD answer has no code at all.
    private static readonly HashSet<string> Codes = new(StringComparer.OrdinalIgnoreCase)
    {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "AuthFailure", "SignatureDoesNotMatch", "AccessDeniedException",
    };

    /// <summary>
    /// Whether <paramref name="error"/> is a clock-skew refusal that the SDK corrected and would send again; the SDK records the
    /// correction either way, and does not send again when <c>AWSConfigs.CorrectForClockSkew</c> is off or a manual correction is set.
    /// </summary>
    public static bool TryCorrect(IExecutionContext executionContext, RetryPolicy sdkPolicy, Exception error)
    {
        var requestContext = executionContext.RequestContext;
        if (error is not AmazonServiceException service
            || (service.ErrorCode is { } code ? !Codes.Contains(code) : !string.Equals(requestContext.Request?.HttpMethod, "HEAD", StringComparison.Ordinal)))
        {
            return false;
        }

        // The SDK's own count of retries would stop it at its MaxErrorRetry: ThrottleKit keeps its own count, and a clock-skew
        // correction is not a retry of ThrottleKit's.
        var retries = requestContext.Retries;
        requestContext.Retries = 0;
        try
        {
            return sdkPolicy.Retry(executionContext, error);
        }
        finally
        {
            requestContext.Retries = retries;
        }
    }
}
