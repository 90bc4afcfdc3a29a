using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ThrottleKit.Testing;
using ThrottleKit.Redis.Tests.Support;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// The limiter against a real redis-server. Most tests send the caller's clock (a <see cref="FakeTimeProvider"/>) instead of
/// Redis <c>TIME</c>, so what the script grants is exact.
/// </summary>
[Collection(RedisTests.Name)]
public sealed class RedisGcraRateLimiterTests(SharedRedis redis) : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public async Task Many_tasks_on_one_bucket_are_granted_exactly_the_burst_then_exactly_the_rate()
    {
        var bucket = SharedRedis.NewBucketName();

        // Four limiters (as four processes would have) and no queue: what does not fit now is refused, not awaited.
        var limiters = Enumerable.Range(0, 4).Select(_ => Create(bucket, rate: 50, burst: 20, queueLimit: 0)).ToArray();

        async Task<int> HammerAsync()
        {
            var granted = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
            {
                using var lease = await limiters[i % limiters.Length].AcquireAsync(1);
                return lease.IsAcquired ? 1 : 0;
            }));
            return granted.Sum();
        }

        Assert.Equal(20, await HammerAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(20, await HammerAsync());   // 50 refilled, capped at the burst
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(5, await HammerAsync());
        Assert.All(limiters, l => Assert.False(l.IsDegraded));
    }

    [Fact]
    public async Task A_request_over_the_limit_waits_exactly_what_the_script_answered_in_one_round_trip()
    {
        var limiter = Create(SharedRedis.NewBucketName(), rate: 10, burst: 10);
        for (var i = 0; i < 10; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            Assert.True(lease.IsAcquired);
        }

        var pending = limiter.AcquireAsync(2).AsTask();
        await WaitUntilAsync(() => _time.GetUtcNow() is var _ && !pending.IsCompleted && limiter.RoundTrips == 11);
        await Task.Delay(50);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        using var waited = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(waited.IsAcquired);
        Assert.Equal(11, limiter.RoundTrips);
    }

    [Fact]
    public void With_borrowing_on_a_cost_above_the_burst_is_granted_on_a_full_bucket_and_leaves_a_debt_as_the_local_limiter_does()
    {
        var limiter = Create(SharedRedis.NewBucketName(), rate: 10, burst: 10, allowBorrowing: true);

        using (var big = limiter.AttemptAcquire(25))
        {
            Assert.True(big.IsAcquired);
        }

        // 25 taken from 10: a debt of 15, so one more permit fits once 9 are free again, 1.6 s later.
        _time.Advance(TimeSpan.FromMilliseconds(1599));
        using (var early = limiter.AttemptAcquire(1))
        {
            Assert.False(early.IsAcquired);
            Assert.True(early.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
            Assert.Equal(TimeSpan.FromMilliseconds(1), retryAfter);
        }

        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var onTime = limiter.AttemptAcquire(1);
        Assert.True(onTime.IsAcquired);
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task The_key_is_hash_tagged_and_expires_once_the_bucket_has_been_full_for_the_key_expiry()
    {
        var bucket = SharedRedis.NewBucketName();
        var limiter = Create(bucket, rate: 10, burst: 10, configure: o => o.KeyExpiry = TimeSpan.FromSeconds(1));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var lease = limiter.AttemptAcquire(5);

        Assert.Equal($"throttlekit:{{{bucket}}}", limiter.Key);
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(limiter.Key);

        // Set to 500 ms until full + 1 s; it has been running down since (a cold client may take most of a second to ask).
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1500) - clock.Elapsed - TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1500));

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(await redis.Connection.GetDatabase().KeyExistsAsync(limiter.Key));
    }

    [Fact]
    public void A_rate_set_by_one_process_is_stored_in_Redis_and_followed_by_the_others()
    {
        var bucket = SharedRedis.NewBucketName();
        var setter = Create(bucket, rate: 100, burst: 10);
        var other = Create(bucket, rate: 100, burst: 10);
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => other.AttemptAcquire(1).IsAcquired));

        setter.SetRate(5);
        Thread.Sleep(100);   // the rate goes out fire-and-forget
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => other.AttemptAcquire(1).IsAcquired));
        Assert.Equal(5, other.PermitsPerSecond);
    }

    [Fact]
    public void A_pause_from_one_process_holds_back_the_others_then_they_go_at_the_rate_from_an_empty_bucket()
    {
        var bucket = SharedRedis.NewBucketName();
        var paused = Create(bucket, rate: 10, burst: 5);
        var other = Create(bucket, rate: 10, burst: 5);
        Assert.True(other.AttemptAcquire(1).IsAcquired);

        // Both limiters share one connection, whose commands Redis runs in order: the fire-and-forget pause comes first.
        paused.Pause(TimeSpan.FromSeconds(1));
        Assert.False(other.AttemptAcquire(1).IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(other.AttemptAcquire(1).IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Enumerable.Range(0, 5).Count(_ => other.AttemptAcquire(1).IsAcquired));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Enumerable.Range(0, 5).Count(_ => other.AttemptAcquire(1).IsAcquired));
        Assert.Throws<ArgumentOutOfRangeException>(() => paused.Pause(TimeSpan.FromMinutes(-1)));
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task By_default_the_clock_is_Redis_TIME()
    {
        var limiter = new RedisGcraRateLimiter(redis.Connection, SharedRedis.NewBucketName(), new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 5 }, new RedisRateLimiterOptions());
        _disposables.Add(limiter);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // The fake clock here never moves; Redis's does. First the burst, then what Redis's clock refilled: never more than
        // the burst plus the rate over the time measured here, never less than 300 ms of it.
        var first = Enumerable.Range(0, 10).Count(_ => limiter.AttemptAcquire(1).IsAcquired);
        await Task.Delay(300);
        var second = Enumerable.Range(0, 10).Count(_ => limiter.AttemptAcquire(1).IsAcquired);
        var elapsed = clock.Elapsed;

        var evidence = $"first {first}, then {second}, over {elapsed.TotalMilliseconds:0} ms; {RealClock.LoadAverage()}";
        Assert.True(first >= 5, evidence);
        Assert.True(first + second >= 5 + 3 - 1 && first + second <= 5 + (10 * elapsed.TotalSeconds) + 1, evidence);
    }

    [Fact]
    public void Bad_names_and_options_are_refused_by_name()
    {
        var rate = new GcraRateLimiterOptions { PermitsPerSecond = 1 };
        Assert.Equal("bucketName", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisGcraRateLimiter(redis.Connection, "a{b}", rate, new RedisRateLimiterOptions())).ParamName);
        Assert.Equal("ExpectedInstances", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisGcraRateLimiter(redis.Connection, "b", rate, new RedisRateLimiterOptions { ExpectedInstances = 0 })).ParamName);
        Assert.Equal("KeyExpiry", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisGcraRateLimiter(redis.Connection, "b", rate, new RedisRateLimiterOptions { KeyExpiry = TimeSpan.Zero })).ParamName);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task A_request_over_the_burst_is_refused_before_any_round_trip_as_by_the_in_process_limiter_unless_borrowing_is_on()
    {
        var strict = Create(SharedRedis.NewBucketName(), rate: 10, burst: 5);
        var borrowing = Create(SharedRedis.NewBucketName(), rate: 10, burst: 5, allowBorrowing: true);

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => strict.AttemptAcquire(6));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await strict.AcquireAsync(6));
        Assert.Equal(("permitCount", 6), (refused.ParamName, refused.ActualValue));
        Assert.Contains("AllowBorrowing", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, strict.RoundTrips);

        // With borrowing, more than a day of debt is refused all the same: 5 + 10 · 86 400 at most.
        Assert.Throws<ArgumentOutOfRangeException>(() => borrowing.AttemptAcquire(864_006));
        Assert.Equal(0, borrowing.RoundTrips);
    }

    private RedisGcraRateLimiter Create(string bucket, double rate, int burst, Action<RedisRateLimiterOptions>? configure = null, int queueLimit = int.MaxValue, bool allowBorrowing = false)
    {
        // These tests are about the script's arithmetic: a cold first call must not count as an outage.
        var options = new RedisRateLimiterOptions { UseRedisTime = false, AcquireTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        var limiter = new RedisGcraRateLimiter(redis.Connection, bucket, new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, QueueLimit = queueLimit, AllowBorrowing = allowBorrowing }, options, _time);
        _disposables.Add(limiter);
        return limiter;
    }
}
