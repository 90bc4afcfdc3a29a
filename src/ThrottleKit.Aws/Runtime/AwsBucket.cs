using System;
using System.Threading.RateLimiting;

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
        Target = new ThrottlingTarget(limiter, accountQuota, telemetry);
    }

    public AwsPartition Partition { get; }

    public ThrottlingTarget Target { get; }

    public RateLimiter Limiter => Target.Limiter;

    public void Dispose()
    {
        Target.AccountQuota?.Dispose();
        if (_ownsLimiter)
        {
            Target.Limiter.Dispose();
        }
    }

    /// <summary>
    /// Lets the bucket go after it stayed idle: its account-quota reading stops (its timer is the one thing an idle bucket
    /// holds) and its rate leaves the gauge; the limiter is left to the collector, as a call that found the bucket just
    /// before may still spend it.
    /// </summary>
    public void Evict()
    {
        Target.AccountQuota?.Dispose();
        Target.Telemetry.UntrackRate(Target.Limiter);
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
