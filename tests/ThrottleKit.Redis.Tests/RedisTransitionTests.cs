using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ThrottleKit.Redis.Tests.Support;
using ThrottleKit.TestSupport;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// What a Redis bucket does at each change of state — a fresh bucket, a lost one, a turn reserved just before Redis went away,
/// callers on the fallback when it comes back, credentials it refuses — each pinned on a clock the test moves by hand, so a
/// wrong answer is a wrong count, not a late one.
/// </summary>
public sealed class RedisTransitionTests
{
    [Fact]
    public async Task A_bucket_made_by_a_process_that_starts_empty_grants_one_permit_then_the_rate_as_the_in_process_one_does()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        var time = new FakeTimeProvider();
        using var limiter = Limiter(connection, time, new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10, StartEmpty = true });

        Assert.True(limiter.AttemptAcquire(1).IsAcquired);
        Assert.False(limiter.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.AttemptAcquire(1).IsAcquired);
        Assert.False(limiter.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public async Task A_bucket_lost_to_FLUSHALL_is_rebuilt_from_what_its_callers_last_saw_instead_of_refilled()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        var time = new FakeTimeProvider();
        using var limiter = Limiter(connection, time, new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10 });
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => limiter.AttemptAcquire(1).IsAcquired));

        await connection.GetServer(server.Configuration).FlushAllDatabasesAsync();

        // Without the floor, the lost bucket would come back full: ten more at once, on top of the ten just spent.
        Assert.False(limiter.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.AttemptAcquire(1).IsAcquired);
        Assert.False(limiter.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public async Task A_bucket_lost_a_second_after_a_process_last_saw_it_comes_back_with_the_turns_the_fleet_reserved_meanwhile()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connectionA = await Connect(server);
        using var connectionB = await Connect(server);
        var time = new FakeTimeProvider();
        var bucket = SharedRedis.NewBucketName();
        var shape = new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10 };
        using var a = Limiter(connectionA, time, shape, bucket);
        using var b = Limiter(connectionB, time, shape, bucket);

        // A spends the burst, then B alone keeps the bucket busy at its rate for a second: A's view is a second old.
        Assert.Equal(10, Enumerable.Range(0, 11).Count(_ => a.AttemptAcquire(1).IsAcquired));
        for (var step = 0; step < 10; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(b.AttemptAcquire(1).IsAcquired);
        }

        await connectionA.GetServer(server.Configuration).FlushAllDatabasesAsync();

        // Rebuilt from where A's view stood (its tat), the bucket would be full: ten more at once. Carried to now, A's view
        // shows the bucket as empty as it is, and the rate goes on.
        Assert.False(a.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(a.AttemptAcquire(1).IsAcquired);
        Assert.False(b.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public async Task After_a_loss_each_process_that_saw_the_bucket_before_it_raises_what_an_older_view_rebuilt()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connectionA = await Connect(server);
        using var connectionB = await Connect(server);
        var time = new FakeTimeProvider();
        var bucket = SharedRedis.NewBucketName();
        var shape = new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10 };
        using var a = Limiter(connectionA, time, shape, bucket);
        using var b = Limiter(connectionB, time, shape, bucket);

        // A saw one permit spent; B then spent the other nine. A, the first to call after the loss, rebuilds the bucket
        // with nine to spare, and takes one: its permit for the loss.
        Assert.True(a.AttemptAcquire(1).IsAcquired);
        Assert.Equal(9, Enumerable.Range(0, 10).Count(_ => b.AttemptAcquire(1).IsAcquired));
        await connectionA.GetServer(server.Configuration).FlushAllDatabasesAsync();
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(a.AttemptAcquire(1).IsAcquired);

        // B knows the bucket was empty: its first call after the loss raises it to that, so the eight A's view left are
        // not handed out again, to B or to A.
        Assert.False(b.AttemptAcquire(1).IsAcquired);
        Assert.False(a.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(b.AttemptAcquire(1).IsAcquired);
        Assert.False(a.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public async Task A_bucket_lost_after_it_could_have_expired_full_comes_back_full_whatever_its_callers_last_saw()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        var time = new FakeTimeProvider();
        using var limiter = Limiter(connection, time, new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10 });
        Assert.Equal(10, Enumerable.Range(0, 11).Count(_ => limiter.AttemptAcquire(1).IsAcquired));

        // The debt (one second) and the key's expiry (one minute) have passed: a missing key may just have expired, full.
        time.Advance(TimeSpan.FromSeconds(61.5));
        await connection.GetServer(server.Configuration).FlushAllDatabasesAsync();

        Assert.Equal(10, Enumerable.Range(0, 11).Count(_ => limiter.AttemptAcquire(1).IsAcquired));
    }

    [Fact]
    public async Task Statistics_show_what_the_bucket_held_at_its_last_answer_refilled_by_time()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        var time = new FakeTimeProvider();
        using var limiter = Limiter(connection, time, new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10 });

        Assert.Equal(4, Enumerable.Range(0, 4).Count(_ => limiter.AttemptAcquire(1).IsAcquired));
        Assert.Equal(6, limiter.GetStatistics()!.CurrentAvailablePermits);
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(8, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Theory]
    [InlineData(RedisFailurePolicy.FailOpen)]
    [InlineData(RedisFailurePolicy.FailClosed)]
    public async Task A_turn_Redis_reserved_is_not_used_once_Redis_is_found_unreachable_before_it_comes(RedisFailurePolicy policy)
    {
        // The waits run on a clock that never moves: a caller that returns did not wait out the turn Redis gave it.
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        var time = new FakeTimeProvider();
        using var limiter = new RedisGcraRateLimiter(
            connection,
            SharedRedis.NewBucketName(),
            new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = 1 },
            new RedisRateLimiterOptions { FailurePolicy = policy, AcquireTimeout = TimeSpan.FromMilliseconds(300), RetryInterval = TimeSpan.FromSeconds(30) },
            time);
        using (var first = await limiter.AcquireAsync(1))
        {
            Assert.True(first.IsAcquired);
        }

        var reserved = limiter.AcquireAsync(1).AsTask();
        await Task.Delay(200);
        Assert.False(reserved.IsCompleted);

        server.Freeze();
        try
        {
            var third = limiter.AcquireAsync(1).AsTask();
            if (policy == RedisFailurePolicy.FailOpen)
            {
                // Out of the budget: the fleet is on its fallbacks now, and the reserved turn goes there too. The fallback
                // starts empty but for one permit, which one of the two gets at once, and grants the other a second later.
                var firstDone = await Task.WhenAny(reserved, third).WaitAsync(TimeSpan.FromSeconds(10));
                Assert.True((await firstDone).IsAcquired);
                Assert.True(limiter.IsDegraded);
                for (var step = 0; step < 100 && !(reserved.IsCompleted && third.IsCompleted); step++)
                {
                    time.Advance(TimeSpan.FromMilliseconds(100));
                    await Task.Delay(20);
                }

                Assert.True((await reserved).IsAcquired);
                Assert.True((await third).IsAcquired);

                // Both from the fallback: the reserved turn (due within the same second) was given up, not waited out.
                Assert.Equal(2, limiter.FallbackLeases);
            }
            else
            {
                await Assert.ThrowsAsync<RedisUnavailableException>(() => reserved.WaitAsync(TimeSpan.FromSeconds(10)));
                await Assert.ThrowsAsync<RedisUnavailableException>(() => third.WaitAsync(TimeSpan.FromSeconds(10)));
            }
        }
        finally
        {
            server.Thaw();
        }
    }

    [Fact]
    public async Task Callers_waiting_on_the_fallback_go_to_Redis_once_the_outage_has_settled()
    {
        // The fallback's clock never moves: its waiters could only ever finish through Redis.
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        await server.StopAsync();
        var time = new FakeTimeProvider();
        using var limiter = new RedisGcraRateLimiter(
            connection,
            SharedRedis.NewBucketName(),
            new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = 5 },
            new RedisRateLimiterOptions { AcquireTimeout = TimeSpan.FromMilliseconds(500), RetryInterval = TimeSpan.FromMilliseconds(50) },
            time);
        using (var first = await limiter.AcquireAsync(1))
        {
            Assert.True(first.IsAcquired);
        }

        Assert.True(limiter.IsDegraded);
        var waiting = Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync(1).AsTask()).ToArray();
        await Task.Delay(300);
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        var roundTrips = limiter.RoundTrips;

        await server.StartAgainAsync();
        var leases = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.False(limiter.IsDegraded);
        Assert.True(limiter.RoundTrips >= roundTrips + 3, $"{limiter.RoundTrips - roundTrips} round trips after Redis came back.");
    }

    [Fact]
    public async Task A_limiter_built_with_credentials_Redis_refuses_fails_its_calls_and_logs_an_error_instead_of_failing_open()
    {
        await using var server = await LocalRedisServer.StartAsync("--requirepass", "right");
        using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},password=wrong,abortConnect=false,connectTimeout=1000");
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var limiter = new RedisGcraRateLimiter(
            connection,
            SharedRedis.NewBucketName(),
            new GcraRateLimiterOptions { PermitsPerSecond = 10 },
            new RedisRateLimiterOptions(),
            logger: loggerFactory.CreateLogger("ThrottleKit"));

        var clock = Stopwatch.StartNew();
        var granted = 0;
        RedisUnavailableException? refused = null;
        while (refused is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var lease = await limiter.AcquireAsync(1);
                granted += lease.IsAcquired ? 1 : 0;
            }
            catch (RedisUnavailableException thrown)
            {
                refused = thrown;
            }
        }

        // Before: 31 grants in 3 s on the fallback, silently. Now the first probe finds out (at most a few fallback grants).
        Assert.NotNull(refused);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Refused after {clock.Elapsed}.");
        Assert.True(granted <= 20, $"{granted} granted before the refusal was known.");
        Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        var error = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "RedisRefusedCredentials");
        Assert.Equal(LogLevel.Error, error.Level);
        await Assert.ThrowsAsync<RedisUnavailableException>(async () => await limiter.AcquireAsync(1));
    }

    private static RedisGcraRateLimiter Limiter(IConnectionMultiplexer connection, TimeProvider time, GcraRateLimiterOptions rateLimit, string? bucket = null) => new(
        connection,
        bucket ?? SharedRedis.NewBucketName(),
        rateLimit,
        new RedisRateLimiterOptions { UseRedisTime = false, AcquireTimeout = TimeSpan.FromSeconds(10) },
        time);

    private static async Task<ConnectionMultiplexer> Connect(LocalRedisServer server)
        => await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false,allowAdmin=true,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000");
}
