using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace ThrottleKit.Aws;

/// <summary>Grants everything at once: for operations that are retried on throttles but have no rate of their own to keep.</summary>
internal sealed class UnmeteredRateLimiter : RateLimiter
{
    private static readonly RateLimitLease Lease = new GrantedLease();

    public static UnmeteredRateLimiter Instance { get; } = new();

    public override TimeSpan? IdleDuration => TimeSpan.Zero;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => new(Lease);

    private sealed class GrantedLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
