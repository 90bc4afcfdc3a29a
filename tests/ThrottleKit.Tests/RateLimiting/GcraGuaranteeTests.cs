using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace ThrottleKit.Tests.RateLimiting;

/// <summary>
/// Property tests of the limiter's promise: in any window of length T it grants at most Burst + rate · (T + QueuedLateness)
/// permits — QueuedLateness because a queued request that a late timer wakes is granted by when it was due, and the virtual
/// clock here jumps, so its timers are late by up to a jump — (a request that costs more than the burst borrows, and then
/// the bound is max(Burst, cost) + rate · (T + QueuedLateness)), it serves waiters in order, and it serves every waiter eventually.
/// </summary>
public class GcraGuaranteeTests
{
    private static readonly double[] Rates = [0.5, 1, 3.7, 14, 100, 1234.5];

    [Fact]
    public async Task No_window_of_ten_thousand_random_schedules_gets_more_than_burst_plus_rate_times_length()
    {
        var random = new Random(20261123);
        for (var schedule = 0; schedule < 10_000; schedule++)
        {
            await RunScheduleAsync(random, schedule, allowBorrowing: false);
        }
    }

    [Fact]
    public async Task Borrowing_requests_never_exceed_their_cost_plus_rate_times_length()
    {
        var random = new Random(4242);
        for (var schedule = 0; schedule < 2_000; schedule++)
        {
            await RunScheduleAsync(random, schedule, allowBorrowing: true);
        }
    }

    private static async Task RunScheduleAsync(Random random, int schedule, bool allowBorrowing)
    {
        var rate = Rates[random.Next(Rates.Length)];
        var burst = random.Next(1, 21);
        var interval = TimeSpan.FromSeconds(1 / rate);
        var time = new FakeTimeProvider();
        // Up to two intervals of allowance, within what the options allow: a second, and with a burst of 2 or more the
        // (burst − 1) intervals the burst can hold in hand.
        var most = Math.Min(TimeSpan.TicksPerSecond, burst >= 2 ? (burst - 1) * interval.Ticks : double.MaxValue);
        var allowance = random.Next(3) == 0 ? TimeSpan.FromTicks((long)Math.Min(most, interval.Ticks * random.NextDouble() * 2)) : TimeSpan.Zero;
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, JitterAllowance = allowance, AllowBorrowing = allowBorrowing }, time);

        var grants = new List<Grant>();
        var pending = new LinkedList<Pending>();
        var cancellations = new List<CancellationTokenSource>();
        var accounted = 0L;
        var now = TimeSpan.Zero;
        var maxCost = burst;

        // Leases are granted in queue order, so each new success the limiter counts belongs to the oldest pending
        // request; a queued grant happened at some moment since the clock last moved.
        void Account(TimeSpan from, int? synchronousCost)
        {
            var total = limiter.GetStatistics()!.TotalSuccessfulLeases;
            var fresh = total - accounted - (synchronousCost is null ? 0 : 1);
            for (var i = 0; i < fresh; i++)
            {
                var head = pending.First?.Value ?? throw new InvalidOperationException($"Schedule {schedule}: a grant the test cannot attribute.");
                pending.RemoveFirst();
                grants.Add(new Grant(from, now, head.Cost));
                head.Granted = true;
            }

            if (synchronousCost is { } cost)
            {
                grants.Add(new Grant(now, now, cost));
            }

            accounted = total;
        }

        var steps = random.Next(5, 60);
        var all = new List<Pending>();
        for (var step = 0; step < steps; step++)
        {
            var cost = NextCost(random, burst, allowBorrowing);
            maxCost = Math.Max(maxCost, cost);
            switch (random.Next(10))
            {
                case < 3:
                    using (var lease = limiter.AttemptAcquire(cost))
                    {
                        Account(now, lease.IsAcquired ? cost : null);
                    }

                    break;
                case < 7:
                    var cts = new CancellationTokenSource();
                    cancellations.Add(cts);
                    var request = new Pending(cost, cts, limiter.AcquireAsync(cost, cts.Token).AsTask());
                    all.Add(request);
                    if (request.Task.IsCompletedSuccessfully)
                    {
                        request.Granted = true;
                        Account(now, cost);
                    }
                    else
                    {
                        pending.AddLast(request);
                        Account(now, null);
                    }

                    break;
                case < 8 when pending.Count > 0:
                    var victim = pending.ElementAt(random.Next(pending.Count));
                    pending.Remove(victim);
                    victim.Cancellation.Cancel();
                    victim.Cancelled = true;
                    Account(now, null);
                    break;
                default:
                    var before = now;
                    var advance = TimeSpan.FromTicks((long)(interval.Ticks * random.NextDouble() * 3 * (random.Next(4) == 0 ? 0 : 1)));
                    time.Advance(advance);
                    now += advance;
                    Account(before, null);
                    break;
            }
        }

        // Liveness: with time, every waiter that was not cancelled is served.
        var drainStep = TimeSpan.FromTicks(interval.Ticks * 5);
        for (var i = 0; i < 5_000 && pending.Count > 0; i++)
        {
            var before = now;
            time.Advance(drainStep);
            now += drainStep;
            Account(before, null);
        }

        Assert.True(pending.Count == 0, $"Schedule {schedule}: {pending.Count} waiters were never served.");
        foreach (var request in all)
        {
            if (request.Cancelled)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.Task);
            }
            else
            {
                Assert.True((await request.Task).IsAcquired, $"Schedule {schedule}: a granted request got no lease.");
            }
        }

        AssertNoWindowExceedsTheBound(grants, Math.Max(burst, maxCost), rate, schedule);
        foreach (var cts in cancellations)
        {
            cts.Dispose();
        }
    }

    /// <summary>
    /// For every pair of grants i ≤ j (in the order they happened), everything granted from i to j happened inside
    /// [earliest possible time of i, latest possible time of j]; that window's bound must cover it.
    /// </summary>
    private static void AssertNoWindowExceedsTheBound(List<Grant> grants, int burst, double rate, int schedule)
    {
        for (var i = 0; i < grants.Count; i++)
        {
            long sum = 0;
            for (var j = i; j < grants.Count; j++)
            {
                sum += grants[j].Cost;
                var window = (grants[j].Latest - grants[i].Earliest).TotalSeconds;
                var bound = burst + (rate * (window + GcraRateLimiter.QueuedLateness.TotalSeconds));
                Assert.True(
                    sum <= bound + 1e-6,
                    $"Schedule {schedule}: {sum} permits granted within {window}s at rate {rate} with burst {burst} (bound {bound}).");
            }
        }
    }

    private static int NextCost(Random random, int burst, bool allowBorrowing)
    {
        if (allowBorrowing && random.Next(5) == 0)
        {
            return random.Next(burst + 1, (burst * 4) + 2);
        }

        return random.Next(10) == 0 ? 0 : random.Next(1, burst + 1);
    }

    private sealed record Grant(TimeSpan Earliest, TimeSpan Latest, int Cost);

    private sealed class Pending(int cost, CancellationTokenSource cancellation, Task<System.Threading.RateLimiting.RateLimitLease> task)
    {
        public int Cost { get; } = cost;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task<System.Threading.RateLimiting.RateLimitLease> Task { get; } = task;

        public bool Granted { get; set; }

        public bool Cancelled { get; set; }
    }
}
