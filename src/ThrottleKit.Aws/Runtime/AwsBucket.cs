using System;
using System.Threading.RateLimiting;
using Polly;

namespace ThrottleKit.Aws;

/// <summary>
/// One bucket of one service in one container: its limiter, and what a call through it is throttled against. The service's
/// pipeline serves all its buckets, so an idle bucket holds its limiter and little else.
/// </summary>
internal sealed class AwsBucket : IDisposable
{
    private readonly bool _ownsLimiter;

    public AwsBucket(AwsPartition partition, RateLimiter limiter, bool ownsLimiter, AccountQuotaMonitor? accountQuota, ThrottleKitTelemetry telemetry)
    {
        Partition = partition;
        _ownsLimiter = ownsLimiter;
        Throttling = new ThrottlingBucket(limiter, accountQuota, telemetry);
    }

    /// <summary>Gets the key under which a call carries its bucket to the service's pipeline, whose bucket selector reads it.</summary>
    public static ResiliencePropertyKey<ThrottlingBucket> CallKey { get; } = new("ThrottleKit.Aws.Bucket");

    public AwsPartition Partition { get; }

    /// <summary>Gets what a call through this bucket is throttled against.</summary>
    public ThrottlingBucket Throttling { get; }

    public RateLimiter Limiter => Throttling.RateLimiter;

    public void Dispose()
    {
        Throttling.DailyQuota?.Dispose();
        if (_ownsLimiter)
        {
            Throttling.RateLimiter.Dispose();
        }
    }

    /// <summary>
    /// Lets the bucket go after it stayed idle: its account-quota reading stops (its timer is the one thing an idle bucket
    /// holds) and its rate leaves the gauge; the limiter is left to the collector, as a call that found the bucket just
    /// before may still spend it.
    /// </summary>
    public void Evict()
    {
        Throttling.DailyQuota?.Dispose();
        Throttling.Telemetry.UntrackRate(Throttling.RateLimiter);
    }

    /// <summary>The read-out of this bucket for <see cref="AwsThrottlingState"/>.</summary>
    public AwsBucketState Read()
    {
        var statistics = Limiter.GetStatistics();
        return new AwsBucketState(
            Partition.ServiceKey,
            Partition.Region,
            Partition.Account,
            Partition.Operation.Length == 0 ? null : Partition.Operation,
            (Limiter as IAdjustableRateLimiter)?.PermitsPerSecond,
            statistics?.CurrentAvailablePermits,
            statistics?.CurrentQueuedCount ?? 0);
    }
}
