using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace ThrottleKit.Tests.RateLimiting;

/// <summary>
/// Leases from a shared bucket, on a clock the test moves: the store calls a lease saves, that no permit goes out the shared
/// bucket did not grant, that what a quiet process holds goes back within a lease period, and how waits end.
/// </summary>
public sealed class LeasingRateLimiterTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider _time = new();
    private readonly List<RateLimiter> _limiters = [];

    public void Dispose()
    {
        foreach (var limiter in Enumerable.Reverse(_limiters))
        {
            limiter.Dispose();
        }
    }

    [Fact]
    public void At_a_steady_demand_one_shared_acquire_serves_about_a_lease_period_of_permits()
    {
        // 80 permits a second, one every 12.5 ms, for ten seconds: twenty permits a lease period.
        var shared = Shared(rate: 100, burst: 100);
        var leasing = Leasing(shared);
        var granted = 0;
        for (var step = 0; step < 800; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(12.5));
            granted += leasing.AttemptAcquire(1).IsAcquired ? 1 : 0;
        }

        Assert.Equal(800, granted);

        // A lease is topped up to a period's demand when an eighth of it is left: 8/7 acquires a period in the steady state,
        // and more while the first periods learn the demand. One acquire a permit would be 800.
        Assert.InRange(leasing.SharedAcquires, 40, 40 * 8 / 7 + 8);
    }

    [Fact]
    public async Task Two_processes_leasing_from_one_bucket_never_spend_more_than_it_granted_nor_more_than_its_bound()
    {
        const double Rate = 20;
        const int Burst = 20;
        var shared = new CountingLimiter(Shared(Rate, Burst));
        var fleet = new[] { Leasing(shared, ownsShared: false), Leasing(shared, ownsShared: false) };
        var spent = new List<TimeSpan>();
        var start = _time.GetUtcNow();

        // Each process asks for far more than its share, one call every 5 ms, for five seconds.
        for (var step = 0; step < 1000; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(5));
            foreach (var process in fleet)
            {
                if (process.AttemptAcquire(1).IsAcquired)
                {
                    spent.Add(_time.GetUtcNow() - start);
                }
            }

            await Task.Yield();
        }

        Assert.True(spent.Count <= shared.Granted, $"{spent.Count} spent, {shared.Granted} granted by the shared bucket");

        // Every one-second window: at most burst + rate · (1 s + lease period), the lease allowance documented.
        var bound = Burst + (Rate * (1 + Period.TotalSeconds));
        var busiest = spent.Max(at => spent.Count(other => other >= at && other < at + TimeSpan.FromSeconds(1)));
        Assert.True(busiest <= bound, $"busiest second {busiest}, bound {bound}");

        // And the pair kept the bucket busy: leases lose next to nothing of the rate.
        Assert.True(spent.Count >= 0.95 * Rate * 5, $"{spent.Count} spent in five seconds at {Rate}/s");
    }

    [Fact]
    public void What_a_process_that_goes_quiet_holds_goes_back_to_the_shared_bucket_within_one_lease_period()
    {
        var shared = new CountingLimiter(Shared(rate: 100, burst: 100));
        var leasing = Leasing(shared, ownsShared: false);
        SpendOneEvery10MsFor400Ms(leasing);

        var held = leasing.GetStatistics()!.CurrentAvailablePermits;
        Assert.True(held > 0, "the process holds permits of its lease");

        _time.Advance(Period);

        Assert.Equal(0, leasing.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(held, shared.Refunded);
    }

    [Fact]
    public async Task Callers_wait_in_order_for_the_next_lease_and_a_cancelled_one_takes_nothing()
    {
        var shared = Shared(rate: 10, burst: 1);
        var leasing = Leasing(shared, maxPermitsPerLease: 1);
        Assert.True((await leasing.AcquireAsync(1)).IsAcquired);

        using var cancel = new CancellationTokenSource();
        var first = leasing.AcquireAsync(1).AsTask();
        var cancelled = leasing.AcquireAsync(1, cancel.Token).AsTask();
        var third = leasing.AcquireAsync(1).AsTask();
        Assert.Equal(3, leasing.GetStatistics()!.CurrentQueuedCount);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(2, leasing.GetStatistics()!.CurrentQueuedCount);

        await AdvanceUntil(() => first.IsCompleted);
        Assert.True((await first).IsAcquired);
        Assert.False(third.IsCompleted);
        await AdvanceUntil(() => third.IsCompleted);
        Assert.True((await third).IsAcquired);
    }

    [Fact]
    public async Task Disposing_ends_every_wait_with_ObjectDisposedException()
    {
        var leasing = Leasing(Shared(rate: 1, burst: 1), maxPermitsPerLease: 1);
        Assert.True((await leasing.AcquireAsync(1)).IsAcquired);
        var waiting = leasing.AcquireAsync(1).AsTask();

        leasing.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_pause_gives_back_what_is_in_hand_and_holds_the_shared_bucket_back()
    {
        var shared = new CountingLimiter(Shared(rate: 100, burst: 100));
        var leasing = Leasing(shared, ownsShared: false);
        SpendOneEvery10MsFor400Ms(leasing);

        var held = leasing.GetStatistics()!.CurrentAvailablePermits;
        var pausedAt = _time.GetUtcNow();
        leasing.Pause(TimeSpan.FromSeconds(1));

        Assert.Equal(held, shared.Refunded);
        Assert.False(leasing.AttemptAcquire(1).IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(leasing.AttemptAcquire(1).IsAcquired);
        await AdvanceUntil(() => leasing.AttemptAcquire(1).IsAcquired);
        Assert.True(_time.GetUtcNow() - pausedAt >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_request_costing_more_than_a_lease_holds_goes_to_the_shared_bucket_on_its_own()
    {
        var shared = Shared(rate: 100, burst: 100);
        var leasing = Leasing(shared, maxPermitsPerLease: 10);

        Assert.True((await leasing.AcquireAsync(50)).IsAcquired);

        Assert.Equal(1, leasing.SharedAcquires);
        Assert.Equal(0, leasing.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(50, shared.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public void Bad_options_name_the_setting_and_its_value()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LeasingRateLimiter(Shared(1, 1), new LeasingRateLimiterOptions { LeasePeriod = TimeSpan.FromMinutes(1) }));

        Assert.Contains("LeasePeriod", error.Message, StringComparison.Ordinal);
        Assert.Contains("00:01:00", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A steady demand of 100/s for 400 ms: the process then holds part of a lease.</summary>
    private void SpendOneEvery10MsFor400Ms(LeasingRateLimiter leasing)
    {
        for (var step = 0; step < 40; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.True(leasing.AttemptAcquire(1).IsAcquired);
        }
    }

    private async Task AdvanceUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true");
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }
    }

    private GcraRateLimiter Shared(double rate, int burst)
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst }, _time);
        _limiters.Add(limiter);
        return limiter;
    }

    private LeasingRateLimiter Leasing(RateLimiter shared, bool ownsShared = true, int maxPermitsPerLease = 100)
    {
        var limiter = new LeasingRateLimiter(shared, new LeasingRateLimiterOptions { LeasePeriod = Period, MaxPermitsPerLease = maxPermitsPerLease }, _time, ownsShared);
        _limiters.Add(limiter);
        return limiter;
    }

    /// <summary>A shared bucket that counts what it granted and takes back refunds, as a store does.</summary>
    private sealed class CountingLimiter(GcraRateLimiter inner) : RateLimiter, IRefundableRateLimiter, IPausableRateLimiter
    {
        private long _granted;
        private long _refunded;

        public long Granted => Interlocked.Read(ref _granted);

        public long Refunded => Interlocked.Read(ref _refunded);

        public override TimeSpan? IdleDuration => inner.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

        public void Refund(int permitCount)
        {
            // The in-process bucket has no refund: the count is what the store would get back.
            Interlocked.Add(ref _refunded, permitCount);
        }

        public void Pause(TimeSpan duration) => inner.Pause(duration);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => Counted(inner.AttemptAcquire(permitCount), permitCount);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
            => Counted(await inner.AcquireAsync(permitCount, cancellationToken), permitCount);

        private RateLimitLease Counted(RateLimitLease lease, int permitCount)
        {
            if (lease.IsAcquired)
            {
                Interlocked.Add(ref _granted, permitCount);
            }

            return lease;
        }
    }
}
