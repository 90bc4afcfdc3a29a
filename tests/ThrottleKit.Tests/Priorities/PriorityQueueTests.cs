using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace ThrottleKit.Tests.Priorities;

/// <summary>
/// The order a <see cref="GcraRateLimiter"/> grants its waiting requests in, by <see cref="ThrottlePriority"/> and flow, on
/// the virtual clock. The limiter grants as the clock moves; a granted request's task completes on the thread pool, so each
/// step waits until as many tasks have completed as have left the queue.
/// </summary>
public sealed class PriorityQueueTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public async Task A_high_priority_request_goes_before_the_low_priority_ones_queued_before_it()
    {
        // 14/s and a newsletter of 140 recipients queued: first in, first out, a password reset would wait ten seconds.
        var limiter = Create(rate: 14);
        var bulk = Queue(limiter, 140, new RequestPriority(ThrottlePriority.Low));
        var reset = Queue(limiter, 1, new RequestPriority(ThrottlePriority.High)).Single();

        // One interval, and the millisecond the limiter's timer rounds up to.
        await AdvanceAsync(limiter, TimeSpan.FromSeconds(1.0 / 14) + TimeSpan.FromMilliseconds(1), [.. bulk, reset]);

        Assert.True(reset.IsCompleted);
        Assert.Equal(140, limiter.QueuedRequests(ThrottlePriority.Low));
        Assert.Equal(0, limiter.QueuedRequests(ThrottlePriority.High));
        Assert.All(bulk, b => Assert.False(b.IsCompleted));
    }

    [Fact]
    public async Task Requests_that_name_no_priority_are_Normal_first_in_first_out_and_go_after_High_and_before_Low()
    {
        var limiter = Create(rate: 10);
        var low = Queue(limiter, 1, new RequestPriority(ThrottlePriority.Low)).Single();
        var normal = Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync(1).AsTask()).ToArray();
        var high = Queue(limiter, 1, new RequestPriority(ThrottlePriority.High)).Single();

        var order = await GrantOrderAsync(limiter, [high, .. normal, low], TimeSpan.FromMilliseconds(100));

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task While_high_priority_floods_the_limiter_low_priority_still_receives_its_floor_of_the_grants()
    {
        var limiter = Create(rate: 100);
        var low = Queue(limiter, 500, new RequestPriority(ThrottlePriority.Low));
        var high = Queue(limiter, 2000, new RequestPriority(ThrottlePriority.High));

        await AdvanceAsync(limiter, TimeSpan.FromSeconds(10), [.. low, .. high]);   // a thousand grants

        var lowGranted = low.Count(w => w.IsCompleted);
        Assert.Equal(1000, lowGranted + high.Count(w => w.IsCompleted));
        Assert.InRange(lowGranted, 99, 101);
    }

    [Fact]
    public async Task With_a_floor_of_zero_low_priority_waits_until_high_priority_has_nothing_waiting()
    {
        var limiter = Create(rate: 100, floor: 0);
        var low = Queue(limiter, 10, new RequestPriority(ThrottlePriority.Low));
        var high = Queue(limiter, 100, new RequestPriority(ThrottlePriority.High));

        await AdvanceAsync(limiter, TimeSpan.FromSeconds(1), [.. low, .. high]);
        Assert.Equal(100, high.Count(w => w.IsCompleted));
        Assert.Equal(0, low.Count(w => w.IsCompleted));
        await AdvanceAsync(limiter, TimeSpan.FromMilliseconds(100), [.. low, .. high]);
        Assert.Equal(10, low.Count(w => w.IsCompleted));
    }

    [Fact]
    public async Task Backlogged_flows_of_one_priority_share_it_by_weight()
    {
        var limiter = Create(rate: 100);
        var a = Queue(limiter, 300, new RequestPriority(ThrottlePriority.Normal, "tenant-a"));
        var b = Queue(limiter, 300, new RequestPriority(ThrottlePriority.Normal, "tenant-b"));
        var c = Queue(limiter, 300, new RequestPriority(ThrottlePriority.Normal, "tenant-c", weight: 2));

        await AdvanceAsync(limiter, TimeSpan.FromSeconds(4), [.. a, .. b, .. c]);   // 400 grants

        Assert.InRange(a.Count(w => w.IsCompleted), 99, 101);
        Assert.InRange(b.Count(w => w.IsCompleted), 99, 101);
        Assert.InRange(c.Count(w => w.IsCompleted), 199, 201);
    }

    [Fact]
    public async Task A_flow_that_stops_frees_its_share_at_once_and_one_that_comes_back_has_saved_nothing_up()
    {
        var limiter = Create(rate: 100);
        using var stopA = new CancellationTokenSource();
        var a = Queue(limiter, 100, new RequestPriority(ThrottlePriority.Normal, "a"), cancellationToken: stopA.Token);
        var b = Queue(limiter, 300, new RequestPriority(ThrottlePriority.Normal, "b"));
        await AdvanceAsync(limiter, TimeSpan.FromSeconds(1), [.. a, .. b]);
        Assert.InRange(b.Count(w => w.IsCompleted), 49, 51);

        // a gives up: b receives every grant of the next second.
        await stopA.CancelAsync();
        var bBefore = b.Count(w => w.IsCompleted);
        await AdvanceAsync(limiter, TimeSpan.FromSeconds(1), [.. a, .. b]);
        Assert.Equal(100, b.Count(w => w.IsCompleted) - bBefore);

        // a comes back after its second away: it shares from now on, it does not catch up.
        var aAgain = Queue(limiter, 100, new RequestPriority(ThrottlePriority.Normal, "a"));
        bBefore = b.Count(w => w.IsCompleted);
        await AdvanceAsync(limiter, TimeSpan.FromSeconds(1), [.. a, .. b, .. aAgain]);
        Assert.InRange(aAgain.Count(w => w.IsCompleted), 49, 51);
        Assert.InRange(b.Count(w => w.IsCompleted) - bBefore, 49, 51);
    }

    [Fact]
    public async Task A_flows_own_requests_keep_their_order_and_a_large_one_is_not_overtaken_by_a_small_one_behind_it()
    {
        var limiter = Create(rate: 10, burst: 5);
        var large = Queue(limiter, 1, new RequestPriority(ThrottlePriority.Low, "campaign"), cost: 5).Single();
        var small = Queue(limiter, 1, new RequestPriority(ThrottlePriority.Low, "campaign")).Single();

        await AdvanceAsync(limiter, TimeSpan.FromMilliseconds(400), [large, small]);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        await AdvanceAsync(limiter, TimeSpan.FromMilliseconds(100), [large, small]);
        Assert.True(large.IsCompleted);
        Assert.False(small.IsCompleted);
    }

    [Fact]
    public void The_scope_ends_where_it_is_disposed_and_restores_the_one_around_it()
    {
        Assert.Null(PriorityScope.Current);
        using (PriorityScope.Enter(new RequestPriority(ThrottlePriority.Low, "outer")))
        {
            using (PriorityScope.Enter(new RequestPriority(ThrottlePriority.High)))
            {
                Assert.Equal(ThrottlePriority.High, PriorityScope.Current?.Priority);
            }

            Assert.Equal("outer", PriorityScope.Current?.Flow);
        }

        Assert.Null(PriorityScope.Current);
        Assert.Equal("weight", Assert.Throws<ArgumentOutOfRangeException>(() => new RequestPriority(ThrottlePriority.Low, "x", weight: 0)).ParamName);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => new RequestPriority((ThrottlePriority)7)).ParamName);
        Assert.Equal(1, default(RequestPriority).Weight);
    }

    private GcraRateLimiter Create(double rate, int burst = 1, double floor = 0.1)
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, PriorityFloor = floor }, _time);
        _disposables.Add(limiter);

        // Spend the burst, so that every request below waits in the queue.
        Assert.True(limiter.AttemptAcquire(burst).IsAcquired);
        return limiter;
    }

    private static Task<RateLimitLease>[] Queue(GcraRateLimiter limiter, int count, RequestPriority priority, int cost = 1, CancellationToken cancellationToken = default)
    {
        using (PriorityScope.Enter(priority))
        {
            return [.. Enumerable.Range(0, count).Select(_ => limiter.AcquireAsync(cost, cancellationToken).AsTask())];
        }
    }

    /// <summary>Moves the clock a millisecond at a time, then waits until every request that left the queue has completed.</summary>
    private async Task AdvanceAsync(GcraRateLimiter limiter, TimeSpan by, Task<RateLimitLease>[] requests)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMilliseconds(1))
        {
            _time.Advance(by - moved < TimeSpan.FromMilliseconds(1) ? by - moved : TimeSpan.FromMilliseconds(1));
        }

        var queued = Enum.GetValues<ThrottlePriority>().Sum(limiter.QueuedRequests);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (requests.Count(r => r.IsCompleted) < requests.Length - queued)
        {
            Assert.True(DateTime.UtcNow < deadline, "The granted requests' tasks never completed.");
            await Task.Delay(1);
        }
    }

    /// <summary>The position of each request in the order the limiter granted them, advancing one interval at a time.</summary>
    private async Task<List<int>> GrantOrderAsync(GcraRateLimiter limiter, Task<RateLimitLease>[] requests, TimeSpan interval)
    {
        var order = new List<int>();
        for (var step = 0; step < requests.Length * 2 && order.Count < requests.Length; step++)
        {
            await AdvanceAsync(limiter, interval, requests);
            order.AddRange(Enumerable.Range(0, requests.Length).Where(i => requests[i].IsCompleted && !order.Contains(i)));
        }

        return order;
    }
}
