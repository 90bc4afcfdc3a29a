using System;
using System.Collections.Generic;
using Amazon.Runtime;
using ThrottleKit.Aws.ConnectCampaigns;
using ThrottleKit.Aws.SimpleEmail;
using ThrottleKit.Classification;

namespace ThrottleKit.Aws;

/// <summary>
/// How calls of one AWS service are throttled: which failures are throttles, what a request costs, and which
/// operations spend the service's shared rate (the others are retried on throttles but only rate-limited when they have
/// a per-operation limit of their own).
/// </summary>
public sealed class AwsThrottlingRules
{
    private static readonly HashSet<string> SimpleEmailSendingOperations = new(StringComparer.Ordinal)
    {
        "SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "SendCustomVerificationEmail", "SendBulkEmail",
    };

    /// <summary>Creates rules.</summary>
    /// <param name="classifier">Decides which failures are throttles.</param>
    /// <param name="cost">The permits a request costs; <see langword="null"/> for 1 each.</param>
    /// <param name="usesServiceRate">Whether an operation (the request type's name without <c>Request</c>) spends the service's rate; <see langword="null"/> for all.</param>
    /// <exception cref="ArgumentNullException"><paramref name="classifier"/> is <see langword="null"/>.</exception>
    public AwsThrottlingRules(IThrottlingClassifier classifier, Func<AmazonWebServiceRequest, int>? cost = null, Func<string, bool>? usesServiceRate = null)
    {
        Classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        Cost = cost ?? (static _ => 1);
        UsesServiceRate = usesServiceRate ?? (static _ => true);
    }

    /// <summary>
    /// Amazon SES: its throttling classifier; a request costs its recipients (1 when it has none); only the sending operations (SendEmail,
    /// SendRawEmail, SendTemplatedEmail, SendBulkTemplatedEmail, SendCustomVerificationEmail, and v2's SendBulkEmail)
    /// spend the sending rate, so GetSendQuota or identity management never eat into it.
    /// </summary>
    public static AwsThrottlingRules SimpleEmail { get; } = new(
        SimpleEmailThrottlingClassifier.Instance,
        SimpleEmailRecipientCounter.Count,
        SimpleEmailSendingOperations.Contains);

    /// <summary>Amazon Connect Campaigns: <c>ThrottlingException</c> or HTTP 429 is a throttle; every call costs 1 and spends the rate.</summary>
    public static AwsThrottlingRules ConnectCampaigns { get; } = new(ConnectCampaignsThrottlingClassifier.Instance);

    /// <summary>Gets the classifier of failures.</summary>
    public IThrottlingClassifier Classifier { get; }

    /// <summary>Gets the cost of a request in permits.</summary>
    public Func<AmazonWebServiceRequest, int> Cost { get; }

    /// <summary>Gets whether an operation spends the service's shared rate.</summary>
    public Func<string, bool> UsesServiceRate { get; }

    /// <summary>
    /// These rules, with <paramref name="operationNames"/> spending the service's rate as well: for an operation these
    /// rules do not know to be rate-limited, or for a client that stands in for the service (the demo and tests let
    /// STS's <c>GetCallerIdentity</c> stand for an SES send).
    /// </summary>
    /// <param name="operationNames">Operation names, e.g. <c>GetCallerIdentity</c>.</param>
    /// <returns>New rules; these are unchanged.</returns>
    public AwsThrottlingRules AlsoSpendingServiceRate(params string[] operationNames)
    {
        var extra = new HashSet<string>(operationNames ?? throw new ArgumentNullException(nameof(operationNames)), StringComparer.Ordinal);
        var usesServiceRate = UsesServiceRate;
        return new AwsThrottlingRules(Classifier, Cost, operation => extra.Contains(operation) || usesServiceRate(operation));
    }

    /// <summary>The operation a request is for: its type name without the <c>Request</c> suffix (<c>SendEmailRequest</c> → <c>SendEmail</c>).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The operation name.</returns>
    public static string OperationName(AmazonWebServiceRequest request)
    {
        var name = (request ?? throw new ArgumentNullException(nameof(request))).GetType().Name;
        return name.EndsWith("Request", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Request".Length) : name;
    }
}
