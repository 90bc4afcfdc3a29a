using System.Collections.Generic;
using System.Linq;

namespace ThrottleKit.Aws;

/// <summary>
/// What the throttled AWS services of a container hold right now, bucket by bucket: resolve it from the container that
/// <c>AddThrottledAwsClients</c> was called on. The same figures are on the <c>ThrottleKit</c> meter.
/// </summary>
public sealed class AwsThrottlingState
{
    private readonly ThrottledAwsServices _services;

    internal AwsThrottlingState(ThrottledAwsServices services) => _services = services;

    /// <summary>Every bucket made so far (a bucket is made by the first call that needs it), with its rate, available permits and queue.</summary>
    /// <returns>One entry per bucket, ordered by service, Region, account and operation.</returns>
    public IReadOnlyList<AwsBucketState> GetBuckets()
        => [.. _services.Buckets()
            .Where(b => b.Partition.Operation != "(unmetered)")
            .Select(b => b.Read())
            .OrderBy(b => b.ServiceKey, System.StringComparer.Ordinal)
            .ThenBy(b => b.Region, System.StringComparer.Ordinal)
            .ThenBy(b => b.Account, System.StringComparer.Ordinal)
            .ThenBy(b => b.Operation, System.StringComparer.Ordinal)];
}
