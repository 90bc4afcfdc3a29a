using System;
using System.Collections.Generic;
using Amazon.Runtime;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// How the calls of one AWS service are throttled: which failures are throttles, what a request costs, and which operations
/// spend the service's rate (the others are retried on throttles, and take a rate only where they are given a bucket of their
/// own in <see cref="AwsServiceThrottlingOptions.Operations"/>).
/// </summary>
public sealed class AwsThrottlingRules
{
    /// <summary>Creates rules.</summary>
    /// <param name="classifier">Decides which failures are throttles.</param>
    /// <param name="cost">The permits a request costs; 1 each when <see langword="null"/>.</param>
    /// <param name="spendsServiceRate">
    /// Whether an operation (the request type's name without <c>Request</c>) spends the service's rate; every operation when
    /// <see langword="null"/>.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="classifier"/> is <see langword="null"/>.</exception>
    public AwsThrottlingRules(IThrottlingClassifier classifier, Func<AmazonWebServiceRequest, int>? cost = null, Func<string, bool>? spendsServiceRate = null)
        : this(classifier, cost, spendsServiceRate, nativeServiceIds: null)
    {
    }

    /// <summary>Rules whose operations <paramref name="spendsServiceRate"/> describes for clients of <paramref name="nativeServiceIds"/> only.</summary>
    internal AwsThrottlingRules(IThrottlingClassifier classifier, Func<AmazonWebServiceRequest, int>? cost, Func<string, bool>? spendsServiceRate, ISet<string>? nativeServiceIds)
    {
        Classifier = Guard.NotNull(classifier);
        Cost = cost ?? (static _ => 1);
        SpendsServiceRate = spendsServiceRate ?? (static _ => true);
        NativeServiceIds = nativeServiceIds;
    }

    /// <summary>Gets the classifier of failures.</summary>
    public IThrottlingClassifier Classifier { get; }

    /// <summary>Gets the cost of a request in permits.</summary>
    public Func<AmazonWebServiceRequest, int> Cost { get; }

    /// <summary>Gets whether an operation spends the service's rate.</summary>
    public Func<string, bool> SpendsServiceRate { get; }

    /// <summary>
    /// The SDK service ids whose operations <see cref="SpendsServiceRate"/> describes; a client mapped to the service from any
    /// other id (a stand-in, or a service of your own) spends the service's rate with every operation. <see langword="null"/>: all ids.
    /// </summary>
    internal ISet<string>? NativeServiceIds { get; }

    /// <summary>Whether <paramref name="operation"/> of a client with <paramref name="serviceId"/> spends the service's rate.</summary>
    internal bool Spends(string? serviceId, string operation)
        => NativeServiceIds is { } native && (serviceId is null || !native.Contains(serviceId)) || SpendsServiceRate(operation);

    /// <summary>The operation a request is for: its type name without the <c>Request</c> suffix (<c>SendEmailRequest</c> → <c>SendEmail</c>).</summary>
    internal static string OperationName(AmazonWebServiceRequest request)
    {
        var name = request.GetType().Name;
        return name.EndsWith("Request", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Request".Length) : name;
    }
}
