using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.RateLimiting;

public sealed class GcraRateLimiterTests : IDisposable
{
    private readonly ObservableTimeProvider _time = new();
    private readonly List<GcraRateLimiter> _limiters = [];

    public void Dispose()
    {
        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }

        _time.Dispose();
    }

    [Fact]
    public void A_full_bucket_grants_its_burst_at_once_and_then_refuses()
    {
        var limiter = Create(rate: 10, burst: 5);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire().IsAcquired);
        }

        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_bucket_that_starts_empty_grants_one_permit_then_one_per_interval_and_fills_to_its_burst()
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 5, StartEmpty = true }, _time);
        _limiters.Add(limiter);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(5, Enumerable.Range(0, 6).Count(_ => limiter.AttemptAcquire().IsAcquired));
    }

    [Fact]
    public async Task A_pause_grants_nothing_until_it_ends_then_one_permit_per_interval_to_the_queue_in_order()
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 5, QueueLimit = 10 }, _time);
        _limiters.Add(limiter);

        limiter.Pause(TimeSpan.FromSeconds(1));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var queued = Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync(1).AsTask()).ToArray();
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(3, limiter.QueuedPermits);

        // The burst the bucket would have saved up over the pause is not there: one permit, then one each 100 ms (the
        // queue's timer rounds up to the next whole millisecond).
        var granted = new List<int>();
        for (var ms = 1; ms <= 300 && limiter.QueuedPermits > 0; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            granted.AddRange(Enumerable.Repeat(ms, 3 - (int)limiter.QueuedPermits - granted.Count));
        }

        Assert.Equal([1, 101, 201], granted);
        Assert.All(await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(5)), lease => Assert.True(lease.IsAcquired));
    }

    [Fact]
    public void A_shorter_pause_leaves_a_longer_one_in_force_and_a_pause_out_of_range_is_named()
    {
        var limiter = Create(rate: 10, burst: 5);

        limiter.Pause(TimeSpan.FromSeconds(2));
        limiter.Pause(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => limiter.Pause(TimeSpan.FromMilliseconds(-1)));
        Assert.Equal(("duration", (object?)TimeSpan.FromMilliseconds(-1)), (negative.ParamName, negative.ActualValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.Pause(TimeSpan.FromHours(2)));
    }

    [Fact]
    public void A_timer_that_wakes_late_costs_queued_requests_nothing_up_to_the_queued_lateness()
    {
        // 1000/s with a burst of 1: a timer 5 ms late would lose 5 permits of every wake-up if grants restarted the schedule
        // from the moment it woke. They count from when each was due, so the five that fell due are granted together.
        var limiter = Create(rate: 1000, burst: 1);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        var waiters = Enumerable.Range(0, 100).Select(_ => limiter.AcquireAsync(1).AsTask()).ToList();
        long Granted() => 100 - limiter.QueuedPermits;

        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(5, Granted());

        // Never more than QueuedLateness's worth: after a 100 ms stall, the one due now and the 20 due in the 20 ms before it
        // (the rest is lost, as an idle bucket loses what overflows its burst), then one a millisecond again.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(5 + 21, Granted());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(5 + 21 + 1, Granted());
        Assert.All(waiters.Take(27), w => Assert.True(w.Wait(TimeSpan.FromSeconds(5)) && w.Result.IsAcquired));   // first in, first out
        Assert.DoesNotContain(waiters.Skip(27), w => w.IsCompleted);
    }

    [Theory]
    [InlineData(2, 3)]    // 2 ms after the queue emptied: the requests due at 10, 11 and 12 ms
    [InlineData(25, 1)]   // a pause longer than the queued lateness: the bucket holds its burst, no more
    public void A_request_that_arrives_just_after_the_queue_emptied_counts_from_then(int pauseMs, int granted)
    {
        // 1000/s with a burst of 1. At 10 000/s the callers a late timer released come back a thread-pool hop later, after
        // the queue has emptied; if they counted only from their arrival, that hop would be lost from every wake-up.
        var limiter = Create(rate: 1000, burst: 1);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        var waiters = Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync(1).AsTask()).ToList();
        _time.Advance(TimeSpan.FromMilliseconds(10));   // the timer wakes at 10 ms and grants all three (due at 1, 2, 3 ms)
        Assert.All(waiters, w => Assert.True(w.Wait(TimeSpan.FromSeconds(5)) && w.Result.IsAcquired));

        _time.Advance(TimeSpan.FromMilliseconds(pauseMs));

        Assert.Equal(granted, Enumerable.Range(0, 10).Count(_ => limiter.AttemptAcquire().IsAcquired));
    }

    [Fact]
    public void Burst_defaults_to_one_second_of_rate_and_at_least_one()
    {
        Assert.Equal(14, Create(rate: 14).Burst);
        Assert.Equal(14, Create(rate: 14.9).Burst);
        Assert.Equal(1, Create(rate: 0.5).Burst);
    }

    [Fact]
    public void A_fractional_rate_grants_one_permit_every_two_seconds()
    {
        var limiter = Create(rate: 0.5);
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(limiter.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void Fourteen_per_second_grants_fourteen_per_second_after_the_burst()
    {
        var limiter = Create(rate: 14);
        var granted = 0;
        for (var ms = 0; ms < 10_000; ms++)
        {
            while (limiter.AttemptAcquire().IsAcquired)
            {
                granted++;
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // The burst of 14 at once, then one every 1/14 s: the last poll, at 9.999 s, finds the 139th.
        Assert.Equal(14 + 139, granted);
    }

    [Fact]
    public void A_bucket_of_one_permit_loses_what_overflows_while_nobody_asks()
    {
        var limiter = Create(rate: 2, burst: 1);
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_jitter_allowance_shifts_the_schedule_without_slowing_the_rate()
    {
        var limiter = Create(rate: 10, burst: 10, jitterAllowance: TimeSpan.FromMilliseconds(30));
        var grantedAt = new List<int>();
        for (var ms = 0; ms <= 1_000; ms++)
        {
            while (limiter.AttemptAcquire().IsAcquired)
            {
                grantedAt.Add(ms);
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Nine at once, the tenth 30 ms later, then one every 100 ms, each 30 ms behind where it would be without the allowance.
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 130, 230, 330, 430, 530, 630, 730, 830, 930], grantedAt);
    }

    [Fact]
    public void With_a_burst_of_one_the_jitter_allowance_lengthens_each_interval()
    {
        var limiter = Create(rate: 10, burst: 1, jitterAllowance: TimeSpan.FromMilliseconds(20));
        Assert.True(limiter.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromMilliseconds(119));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_rejected_attempt_says_when_to_retry()
    {
        var limiter = Create(rate: 4, burst: 2);
        limiter.AttemptAcquire(2);

        using var lease = limiter.AttemptAcquire();

        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
    }

    [Fact]
    public async Task A_waiter_is_granted_exactly_when_its_permit_exists()
    {
        var limiter = Create(rate: 100, burst: 1);
        limiter.AttemptAcquire();

        var waiting = limiter.AcquireAsync().AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.False(waiting.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task Waiters_are_served_first_in_first_out_even_when_a_later_one_is_smaller()
    {
        var limiter = Create(rate: 10, burst: 5);
        limiter.AttemptAcquire(5);
        var order = new List<string>();

        var large = limiter.AcquireAsync(5).AsTask().ContinueWith(_ => { lock (order) { order.Add("large"); } }, TaskScheduler.Default);
        var small = limiter.AcquireAsync(1).AsTask().ContinueWith(_ => { lock (order) { order.Add("small"); } }, TaskScheduler.Default);

        // One permit exists after 100 ms, but the small request must not overtake the large one queued before it.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(small.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(400));
        await large.WaitAsync(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["large", "small"], order);
    }

    [Fact]
    public void Attempts_do_not_jump_the_queue()
    {
        var limiter = Create(rate: 10, burst: 2);
        limiter.AttemptAcquire(2);
        _ = limiter.AcquireAsync(2).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task A_cost_above_the_burst_borrows_instead_of_deadlocking()
    {
        var limiter = Create(rate: 14, burst: 14, allowBorrowing: true);

        // 50 recipients against a 14/s quota: granted from a full bucket, then paid back.
        using var big = await limiter.AcquireAsync(50);
        Assert.True(big.IsAcquired);
        Assert.Equal(-36, limiter.GetStatistics()!.CurrentAvailablePermits);

        var next = limiter.AcquireAsync(1).AsTask();
        _time.Advance(TimeSpan.FromSeconds(37.0 / 14) - TimeSpan.FromMilliseconds(5));
        Assert.False(next.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True((await next.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
    }

    [Fact]
    public void A_cost_above_the_burst_waits_for_a_full_bucket()
    {
        var limiter = Create(rate: 10, burst: 10, allowBorrowing: true);
        limiter.AttemptAcquire(1);

        Assert.False(limiter.AttemptAcquire(25).IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.AttemptAcquire(25).IsAcquired);
    }

    [Fact]
    public async Task Cancelling_a_waiter_removes_it_and_consumes_nothing()
    {
        var limiter = Create(rate: 10, burst: 1);
        limiter.AttemptAcquire();
        using var cts = new CancellationTokenSource();

        var cancelled = limiter.AcquireAsync(1, cts.Token).AsTask();
        var behind = limiter.AcquireAsync(1).AsTask();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentQueuedCount);

        // The request behind gets the permit the cancelled one would have had, at 100 ms, not 200 ms.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True((await behind.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
    }

    [Fact]
    public async Task A_cancelled_head_lets_a_smaller_request_behind_it_through_at_once()
    {
        var limiter = Create(rate: 10, burst: 5);
        limiter.AttemptAcquire(5);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        using var cts = new CancellationTokenSource();

        var large = limiter.AcquireAsync(5, cts.Token).AsTask();
        var small = limiter.AcquireAsync(1).AsTask();
        cts.Cancel();

        Assert.True((await small.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large);
    }

    [Fact]
    public async Task Past_the_queue_limit_a_request_is_rejected_with_a_reason()
    {
        var limiter = Create(rate: 10, burst: 1, queueLimit: 3, allowBorrowing: true);
        limiter.AttemptAcquire();
        _ = limiter.AcquireAsync(2).AsTask();
        _ = limiter.AcquireAsync(1).AsTask();

        using var lease = await limiter.AcquireAsync(1);

        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
        Assert.Contains("queue limit of 3 permits", reason);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(400), retryAfter);
        Assert.Equal(1, limiter.GetStatistics()!.TotalFailedLeases);
    }

    [Fact]
    public async Task SetRate_applies_to_requests_already_waiting()
    {
        var limiter = Create(rate: 1, burst: 1);
        limiter.AttemptAcquire();
        var waiting = limiter.AcquireAsync().AsTask();

        limiter.SetRate(10);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(5))).IsAcquired);
        Assert.Equal(10, limiter.PermitsPerSecond);
    }

    [Fact]
    public void SetRate_carries_the_debt_over_in_permits()
    {
        var limiter = Create(rate: 10, burst: 10);
        limiter.AttemptAcquire(10);

        limiter.SetRate(1);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void SetRate_rejects_a_rate_that_is_not_positive_and_finite(double rate)
    {
        var limiter = Create(rate: 1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => limiter.SetRate(rate));

        Assert.Equal("permitsPerSecond", error.ParamName);
        Assert.Equal(rate, error.ActualValue);
    }

    [Fact]
    public void Statistics_report_permits_queue_and_lease_counts()
    {
        var limiter = Create(rate: 10, burst: 4);
        limiter.AttemptAcquire(3);
        limiter.AttemptAcquire(3);
        _ = limiter.AcquireAsync(2).AsTask();

        var statistics = limiter.GetStatistics()!;

        Assert.Equal(1, statistics.CurrentAvailablePermits);
        Assert.Equal(2, statistics.CurrentQueuedCount);
        Assert.Equal(1, statistics.TotalSuccessfulLeases);
        Assert.Equal(1, statistics.TotalFailedLeases);
    }

    [Fact]
    public void IdleDuration_counts_from_the_moment_the_bucket_is_full_again()
    {
        var limiter = Create(rate: 10, burst: 2);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), limiter.IdleDuration);

        limiter.AttemptAcquire();
        Assert.Null(limiter.IdleDuration);

        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.FromMilliseconds(150), limiter.IdleDuration);
    }

    [Fact]
    public void No_timer_runs_while_nobody_waits()
    {
        var limiter = Create(rate: 1000, burst: 10);
        for (var i = 0; i < 1000; i++)
        {
            limiter.AttemptAcquire();
            _ = limiter.AcquireAsync().AsTask();
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal(0, _time.TimersCreated);
    }

    [Fact]
    public async Task At_most_one_timer_exists_while_requests_wait_and_none_after()
    {
        var limiter = Create(rate: 10, burst: 1);
        limiter.AttemptAcquire();
        var waiting = Enumerable.Range(0, 20).Select(_ => limiter.AcquireAsync().AsTask()).ToArray();
        Assert.Equal(1, _time.LiveTimers);

        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(_time.LiveTimers <= 1);
        }

        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, _time.LiveTimers);
    }

    [Fact]
    public async Task Dispose_fails_waiters_and_later_calls_with_ObjectDisposedException()
    {
        var limiter = Create(rate: 1, burst: 1);
        limiter.AttemptAcquire();
        var waiting = limiter.AcquireAsync().AsTask();

        limiter.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => limiter.AcquireAsync().AsTask());
        Assert.Equal(0, _time.LiveTimers);
    }

    [Fact]
    public void Negative_permit_counts_are_rejected()
    {
        var limiter = Create(rate: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(-1));
    }

    [Fact]
    public void Zero_permits_tests_availability_without_spending_it()
    {
        var limiter = Create(rate: 10, burst: 1);

        Assert.True(limiter.AttemptAcquire(0).IsAcquired);
        Assert.True(limiter.AttemptAcquire(1).IsAcquired);
        Assert.False(limiter.AttemptAcquire(0).IsAcquired);
    }

    [Fact]
    public void A_negative_jitter_allowance_is_rejected()
    {
        var options = new GcraRateLimiterOptions { PermitsPerSecond = 1, JitterAllowance = TimeSpan.FromMilliseconds(-1) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GcraRateLimiter(options, _time));

        Assert.Equal("JitterAllowance", error.ParamName);
    }

    [Theory]
    [InlineData(100, 10, 91, false)]
    [InlineData(100, 10, 90, true)]
    [InlineData(14, null, 1000, false)]
    [InlineData(1, null, 1000, true)]
    public void A_jitter_allowance_the_burst_cannot_hold_is_refused_naming_both_settings(double rate, int? burst, int allowanceMs, bool valid)
    {
        // (Burst − 1) ÷ rate is what a burst can keep in hand; more would cut the sustained rate (100/s, burst 10, 1 s: 1.7/s).
        // A burst of 1 lengthens each interval instead, as documented.
        var options = new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, JitterAllowance = TimeSpan.FromMilliseconds(allowanceMs) };

        if (valid)
        {
            new GcraRateLimiter(options, _time).Dispose();
            return;
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GcraRateLimiter(options, _time));
        Assert.Equal("JitterAllowance", error.ParamName);
        Assert.Contains("Burst - 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"it is {allowanceMs} ms", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, null, 0, "PermitsPerSecond")]
    [InlineData(-3, null, 0, "PermitsPerSecond")]
    [InlineData(double.NaN, null, 0, "PermitsPerSecond")]
    [InlineData(5, 0, 0, "Burst")]
    [InlineData(5, null, -1, "QueueLimit")]
    public void Invalid_options_name_the_option_and_its_value(double rate, int? burst, int queueLimit, string option)
    {
        var options = new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, QueueLimit = queueLimit };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GcraRateLimiter(options, _time));

        Assert.Equal(option, error.ParamName);
        Assert.Contains(option, error.Message);
        Assert.NotNull(error.ActualValue);
    }

    [Fact]
    public void Changing_options_after_construction_does_not_change_the_limiter()
    {
        var options = new GcraRateLimiterOptions { PermitsPerSecond = 5, Burst = 2 };
        using var limiter = new GcraRateLimiter(options, _time);

        options.PermitsPerSecond = 500;
        options.Burst = 200;

        Assert.Equal(5, limiter.PermitsPerSecond);
        Assert.Equal(2, limiter.Burst);
    }

    [Fact]
    public async Task Sixty_four_callers_at_100_per_second_for_10_seconds_get_the_rate_and_no_more()
    {
        const double Rate = 100;
        var limiter = Create(rate: Rate);
        using var stop = new CancellationTokenSource();
        var granted = 0;

        var callers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var lease = await limiter.AcquireAsync(1, stop.Token);
                    Interlocked.Increment(ref granted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();

        for (var ms = 0; ms < 10_000; ms++)
        {
            // Time moves only once every caller is back in the queue: the test measures the limiter, not the thread pool.
            await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentQueuedCount == 64);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var grantedByLimiter = limiter.GetStatistics()!.TotalSuccessfulLeases;
        stop.Cancel();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(grantedByLimiter, (long)Math.Ceiling(0.995 * Rate * 10), (long)(Rate * 10) + limiter.Burst);
        Assert.Equal(grantedByLimiter, granted);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the callers.");
            await Task.Yield();
        }
    }

    private GcraRateLimiter Create(double rate, int? burst = null, int queueLimit = int.MaxValue, TimeSpan jitterAllowance = default, bool allowBorrowing = false)
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, QueueLimit = queueLimit, JitterAllowance = jitterAllowance, AllowBorrowing = allowBorrowing }, _time);
        _limiters.Add(limiter);
        return limiter;
    }
}
