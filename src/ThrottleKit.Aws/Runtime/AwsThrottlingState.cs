using System;
using System.Collections.Generic;

namespace ThrottleKit.Aws;

/// <summary>
/// What the throttled AWS services of a container hold right now, bucket by bucket: resolve it from the container that
/// <c>AddThrottledAwsClients</c> was called on. The same figures are on the <c>ThrottleKit</c> meter.
/// </summary>
public sealed class AwsThrottlingState
{
    private readonly ThrottledAwsServices _services;

    internal AwsThrottlingState(ThrottledAwsServices services) => _services = services;

    /// <summary>
    /// Every bucket in use (a bucket is made by the first call that needs it and let go after <c>IdleBucketTimeout</c>
    /// unused), with its account, rate, available permits and queue.
    /// </summary>
    /// <returns>One entry per bucket, ordered by service, Region, account and operation.</returns>
    public IReadOnlyList<AwsBucketState> GetBuckets()
    {
        // A list sorted in place: an app with a hundred thousand buckets reads them without leaving a pooled array of that
        // size behind (LINQ's ordering buffers through the shared array pool, which keeps what it is given back).
        var buckets = new List<AwsBucketState>();
        foreach (var bucket in _services.Buckets())
        {
            if (bucket.Partition.Operation != "(unmetered)")
            {
                buckets.Add(bucket.Read());
            }
        }

        buckets.Sort(static (a, b) =>
        {
            var order = string.CompareOrdinal(a.ServiceKey, b.ServiceKey);
            order = order != 0 ? order : string.CompareOrdinal(a.Region, b.Region);
            order = order != 0 ? order : string.CompareOrdinal(a.Account, b.Account);
            return order != 0 ? order : string.CompareOrdinal(a.Operation, b.Operation);
        });
        return buckets;
    }
}
