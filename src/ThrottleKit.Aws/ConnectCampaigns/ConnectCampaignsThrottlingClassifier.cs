using System;
using Amazon.Runtime;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// Recognises Amazon Connect Campaigns' throttle (v1 and v2): the error code <c>ThrottlingException</c> (HTTP 429). Nothing
/// else: every other failure is unknown, so terminal — a retried dial request that had gone through could call someone twice.
/// </summary>
/// <remarks>
/// A batch (<c>PutDialRequestBatch</c>, v2 <c>PutOutboundRequestBatch</c>, <c>PutProfileOutboundRequestBatch</c>) can succeed
/// while refusing some of its items; <see cref="ClassifyFailedItem"/> tells which of those to send again.
/// </remarks>
public sealed class ConnectCampaignsThrottlingClassifier : IThrottlingClassifier
{
    private ConnectCampaignsThrottlingClassifier()
    {
    }

    /// <summary>Gets the shared instance; the classifier has no state.</summary>
    public static ConnectCampaignsThrottlingClassifier Instance { get; } = new();

    /// <inheritdoc />
    public ThrottlingClassification Classify(Exception exception)
    {
        Guard.NotNull(exception);
        return exception is AmazonServiceException { ErrorCode: { } code } && string.Equals(code, "ThrottlingException", StringComparison.OrdinalIgnoreCase)
            ? ThrottlingClassification.Retriable
            : ThrottlingClassification.Unknown;
    }

    /// <summary>
    /// Classifies the <c>failureCode</c> of one refused item of a batch answer: <c>RequestThrottled</c> and v2's
    /// <c>BufferLimitExceeded</c> are retriable (send the item again after the backoff); every other code is terminal.
    /// </summary>
    /// <param name="failureCode">The item's failure code.</param>
    /// <returns>Retriable or terminal.</returns>
    public static ThrottlingClassification ClassifyFailedItem(string? failureCode)
        => string.Equals(failureCode, "RequestThrottled", StringComparison.OrdinalIgnoreCase) || string.Equals(failureCode, "BufferLimitExceeded", StringComparison.OrdinalIgnoreCase)
            ? ThrottlingClassification.Retriable
            : ThrottlingClassification.Terminal;
}
