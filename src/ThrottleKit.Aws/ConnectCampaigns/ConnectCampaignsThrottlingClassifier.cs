using System;
using System.Net;
using Amazon.Runtime;
using ThrottleKit.Classification;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws.ConnectCampaigns;

/// <summary>
/// Recognises Amazon Connect Campaigns' throttle: <c>ThrottlingException</c>, or any service error with HTTP 429.
/// Everything else is unknown, so terminal: a retried dial request that had gone through could call someone twice.
/// </summary>
public sealed class ConnectCampaignsThrottlingClassifier : IThrottlingClassifier
{
    private const HttpStatusCode TooManyRequests = (HttpStatusCode)429;

    /// <summary>Gets the shared instance; the classifier has no state.</summary>
    public static ConnectCampaignsThrottlingClassifier Instance { get; } = new();

    private ConnectCampaignsThrottlingClassifier()
    {
    }

    /// <inheritdoc />
    public ThrottlingClassification Classify(Exception exception)
    {
        Guard.NotNull(exception, nameof(exception));
        return exception is AmazonServiceException service
            && (string.Equals(service.ErrorCode, "ThrottlingException", StringComparison.OrdinalIgnoreCase) || service.StatusCode == TooManyRequests)
            ? ThrottlingClassification.Retriable
            : ThrottlingClassification.Unknown;
    }
}
