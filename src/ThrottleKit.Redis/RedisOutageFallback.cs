using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit.Redis;

/// <summary>
/// What a Redis limiter grants while Redis cannot be reached, and while the fleet settles after it: this process's share of
/// the bucket (rate and burst ÷ <see cref="RedisRateLimiterOptions.ExpectedInstances"/>), from a local GCRA.
/// </summary>
/// <remarks>
/// Each outage, the share starts with its bucket empty: the shared bucket may have just been spent, and a burst on top of it
/// from every process would overrun the quota. What a request may cost is decided by the shared bucket's shape, so the share
/// lets a request within that shape borrow from its smaller bucket rather than refuse it.
/// </remarks>
internal sealed class RedisOutageFallback : IDisposable
{
    private readonly GcraRateLimiter _share;
    private readonly RedisCircuit _circuit;
    private readonly int _expectedInstances;
    private readonly TimeSpan _holdOff;
    private long _outage;
    private long _leases;

    // holdOff: how long after an outage began the share grants nothing (the lease period, while the leases in hand are spent).
    public RedisOutageFallback(GcraRateLimiterOptions rateLimit, int burst, int expectedInstances, TimeSpan holdOff, RedisCircuit circuit, TimeProvider timeProvider)
    {
        _circuit = circuit;
        _expectedInstances = expectedInstances;
        _holdOff = holdOff;
        _share = new GcraRateLimiter(
            new GcraRateLimiterOptions
            {
                PermitsPerSecond = RateFor(rateLimit.PermitsPerSecond),
                Burst = Math.Max(1, burst / expectedInstances),
                QueueLimit = rateLimit.QueueLimit,
                JitterAllowance = rateLimit.JitterAllowance,
                AllowBorrowing = true,
            },
            timeProvider);
    }

    /// <summary>Gets how many leases the share has granted or refused.</summary>
    public long Leases => Interlocked.Read(ref _leases);

    /// <summary>Gets the permits the share holds now.</summary>
    public long AvailablePermits => _share.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>This process's share of a rate, never below the slowest rate a limiter takes (a tiny rate over many instances).</summary>
    public double RateFor(double permitsPerSecond) => Math.Max(Limits.MinRate, permitsPerSecond / _expectedInstances);

    /// <summary>Follows the shared bucket's new rate.</summary>
    public void SetRate(double permitsPerSecond) => _share.SetRate(RateFor(permitsPerSecond));

    /// <summary>Holds back this process's share, as the fleet's bucket is held back.</summary>
    public void Pause(TimeSpan duration) => _share.Pause(duration);

    /// <summary>Takes permits from the share without waiting.</summary>
    public RateLimitLease Take(int permitCount)
    {
        DrainOnceAnOutage();
        Interlocked.Increment(ref _leases);
        return _share.AttemptAcquire(permitCount);
    }

    /// <summary>Waits for permits from the share, or answers <see langword="null"/> when the outage settled while the caller waited (Redis alone decides then).</summary>
    public async ValueTask<RateLimitLease?> TakeDuringOutageAsync(int permitCount, CancellationToken cancellationToken)
    {
        var outage = _circuit.OutageToken;
        if (outage.IsCancellationRequested)
        {
            return null;
        }

        DrainOnceAnOutage();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, outage);
        try
        {
            var lease = await _share.AcquireAsync(permitCount, waiting.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _leases);
            return lease;
        }
        catch (OperationCanceledException) when (outage.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Waits for permits from the share as it stands (the circuit opened again after the caller took its share).</summary>
    public ValueTask<RateLimitLease> WaitAsync(int permitCount, CancellationToken cancellationToken) => _share.AcquireAsync(permitCount, cancellationToken);

    public void Dispose() => _share.Dispose();

    private void DrainOnceAnOutage()
    {
        var outage = _circuit.Outages;
        if (Interlocked.Exchange(ref _outage, outage) != outage)
        {
            // Empty, and for a leasing fleet held back until the leases Redis granted before the outage have expired: the
            // fleet spends those first, and the shares after them, never both at once.
            _share.Pause(_holdOff);
        }
    }
}
