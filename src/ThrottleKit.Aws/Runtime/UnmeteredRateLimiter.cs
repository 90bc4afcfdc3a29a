using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>Grants everything at once: for operations that are retried on throttles but have no rate of their own to keep.</summary>
internal sealed class UnmeteredRateLimiter : RateLimiter
{
    public static UnmeteredRateLimiter Instance { get; } = new();

    public override TimeSpan? IdleDuration => TimeSpan.Zero;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => PermitLease.Granted;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => new(PermitLease.Granted);
}
