using ThrottleKit.TestSupport;
using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using ThrottleKit.Testing;
using ThrottleKit.Redis.Tests.Support;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// A redis-server of the test's own is stopped mid-run and started again. Real clock: each bound is the burst plus the rate
/// over the time the test measured, widened by the scheduling lag it measured (docs/testing.md).
/// </summary>
[Trait("Category", RealClock.Category)]
public sealed class RedisOutageTests
{
    [Fact]
    public async Task Failing_open_keeps_calling_at_the_local_share_logs_once_and_returns_to_Redis_by_itself()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var limiter = new RedisGcraRateLimiter(
            connection,
            SharedRedis.NewBucketName(),
            new GcraRateLimiterOptions { PermitsPerSecond = 200, Burst = 20 },
            // A Redis that goes away (its connection refused) is this test's subject; one that hangs is RedisHangTests'. On a
            // starved machine the default 50 ms budget can run out against a live Redis (seen in CI: a timeout, then a probe
            // that found it answering 70 ms later), which is a second, honest outage this test's "logs once" would count.
            new RedisRateLimiterOptions { ExpectedInstances = 2, RetryInterval = TimeSpan.FromMilliseconds(200), AcquireTimeout = TimeSpan.FromSeconds(1) },
            logger: loggerFactory.CreateLogger("ThrottleKit"));
        await using var lag = SchedulingLagProbe.Start();
        using var stop = new CancellationTokenSource();
        var granted = 0;
        Exception? failure = null;
        var senders = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var lease = await limiter.AcquireAsync(1, stop.Token);
                    Interlocked.Add(ref granted, lease.IsAcquired ? 1 : 0);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception error)
            {
                failure = error;
            }
        })).ToArray();

        var phase = Stopwatch.StartNew();
        await Task.Delay(500);
        var beforeOutage = Volatile.Read(ref granted);
        var beforeSeconds = phase.Elapsed.TotalSeconds;
        var roundTripsBefore = limiter.RoundTrips;
        await server.StopAsync();
        await Task.Delay(200);
        var outageStart = Volatile.Read(ref granted);
        phase.Restart();
        await Task.Delay(1500);
        var duringOutage = Volatile.Read(ref granted) - outageStart;
        var outageSeconds = phase.Elapsed.TotalSeconds;
        Assert.True(limiter.IsDegraded);

        await server.StartAgainAsync();
        var clock = Stopwatch.StartNew();
        while (limiter.IsDegraded && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        Assert.False(limiter.IsDegraded, "The limiter never went back to Redis.");
        var roundTripsAfterRecovery = limiter.RoundTrips;
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Assert.Null(failure);

        // A grant is counted when its caller runs again, up to one scheduling lag after it was made, so each phase's count
        // may hold grants from the lag before it: the bound is burst + rate · (phase + L).
        var allowance = RealClock.LateTimestampAllowance(lag.MaxLag());
        var evidence = $"{beforeOutage} granted in {beforeSeconds:0.000} s before the outage, {duringOutage} in {outageSeconds:0.000} s during it; L = {allowance.TotalMilliseconds:0} ms; {RealClock.LoadAverage()}";
        Assert.True(beforeOutage <= RealClock.WindowBound(20, 200, TimeSpan.FromSeconds(beforeSeconds), allowance), evidence);
        Assert.True(limiter.FallbackLeases > 0);

        // During the outage: 200 ÷ 2 instances, plus the fallback's burst of 10, which the fallback does hand out.
        Assert.True(duringOutage >= 10 && duringOutage <= RealClock.WindowBound(10, 100, TimeSpan.FromSeconds(outageSeconds), allowance), evidence);
        Assert.True(limiter.RoundTrips > roundTripsAfterRecovery, "Acquires went to Redis again after it came back.");
        Assert.True(roundTripsBefore > 0);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "RedisUnavailable");
        Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "RedisRecovered");
    }

    [Fact]
    public async Task Failing_closed_refuses_every_acquire_at_once_with_a_clear_exception_while_Redis_is_down()
    {
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await Connect(server);
        using var limiter = new RedisGcraRateLimiter(
            connection,
            SharedRedis.NewBucketName(),
            new GcraRateLimiterOptions { PermitsPerSecond = 100 },
            new RedisRateLimiterOptions { FailurePolicy = RedisFailurePolicy.FailClosed, AcquireTimeout = TimeSpan.FromSeconds(2) });
        using (var lease = await limiter.AcquireAsync(1))
        {
            Assert.True(lease.IsAcquired);
        }

        await server.StopAsync();
        await Task.Delay(300);
        var clock = Stopwatch.StartNew();
        var errors = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Assert.ThrowsAsync<RedisUnavailableException>(async () => await limiter.AcquireAsync(1))));

        // No storm of timeouts and no starved threads: refused from the known state, not after a network wait each.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"200 refusals took {clock.Elapsed}; {RealClock.LoadAverage()}.");
        Assert.Contains("FailClosed", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains(limiter.Key, errors[0].Message, StringComparison.Ordinal);

        await server.StartAgainAsync();
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var lease = await limiter.AcquireAsync(1);
                Assert.True(lease.IsAcquired);
                return;
            }
            catch (RedisUnavailableException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail("The limiter never went back to Redis.");
    }

    private static async Task<ConnectionMultiplexer> Connect(LocalRedisServer server)
        => await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
}
