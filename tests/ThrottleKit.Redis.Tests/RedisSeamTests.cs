using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ThrottleKit.Redis.Tests.Support;
using ThrottleKit.TestSupport;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// The seams of a quota shared through Redis, each as README's "One quota for a fleet" documents it: what a fleet may send
/// beyond the rate per outage, instances that disagree on the rate, credentials Redis refuses, and what the container reports.
/// </summary>
public sealed class RedisSeamTests
{
    [Theory]
    [InlineData(2, 2, (2 * 1) + (100 * 10))]
    [InlineData(3, 2, (3 * 1) + (3 * 50 * 10))]
    public async Task During_an_outage_each_instance_sends_its_share_so_a_fleet_of_the_expected_size_stays_within_the_rate(int instances, int expected, int fleetGrants)
    {
        // Redis is down from the start (connection refused): every instance is on its fallback, rate ÷ ExpectedInstances, which
        // starts the outage empty but for one permit, on virtual time.
        await using var server = await LocalRedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false");
        await server.StopAsync();
        var time = new FakeTimeProvider();
        var bucket = SharedRedis.NewBucketName();
        var fleet = Enumerable.Range(0, instances).Select(_ => new RedisGcraRateLimiter(
            connection,
            bucket,
            new GcraRateLimiterOptions { PermitsPerSecond = 100, Burst = 20 },
            new RedisRateLimiterOptions { ExpectedInstances = expected },
            time)).ToArray();

        var granted = 0;
        for (var step = 0; step <= 1000; step++)
        {
            foreach (var instance in fleet)
            {
                while (instance.AttemptAcquire(1).IsAcquired)
                {
                    granted++;
                }
            }

            if (step < 1000)
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        // Ten seconds: the expected fleet sends rate · 10 s (and one permit each); more instances than expected send more, in proportion.
        Assert.Equal(fleetGrants, granted);
        Assert.All(fleet, i => Assert.True(i.IsDegraded));
        foreach (var instance in fleet)
        {
            instance.Dispose();
        }
    }

    [Fact]
    public async Task Instances_that_configure_different_shapes_all_spend_the_stored_one_never_a_blend_until_one_stores_a_rate()
    {
        var redis = new SharedRedis();
        await redis.InitializeAsync();
        try
        {
            var time = new FakeTimeProvider();
            var bucket = SharedRedis.NewBucketName();
            RedisGcraRateLimiter Instance(double rate, int burst) => new(
                redis.Connection,
                bucket,
                new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst },
                new RedisRateLimiterOptions { UseRedisTime = false, AcquireTimeout = TimeSpan.FromSeconds(10) },
                time);
            using var slow = Instance(10, 1);
            using var fast = Instance(100, 20);

            int Run(TimeSpan span)
            {
                // The two take turns: whichever was not granted last asks first.
                var granted = 0;
                var (first, second) = (slow, fast);
                for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromMilliseconds(5))
                {
                    if (first.AttemptAcquire(1).IsAcquired)
                    {
                        granted++;
                        (first, second) = (second, first);
                    }
                    else if (second.AttemptAcquire(1).IsAcquired)
                    {
                        granted++;
                    }

                    time.Advance(TimeSpan.FromMilliseconds(5));
                }

                return granted;
            }

            // The first to ask made the bucket with its shape, 10/s and a burst of 1; the other follows it, so the fleet
            // spends 10/s, not a blend of 10 and 100 (each spending at its own rate gave 20.4/s).
            Assert.True(slow.AttemptAcquire(0) is { });
            Assert.Equal(100, Run(TimeSpan.FromSeconds(10)));
            Assert.Equal(10, fast.PermitsPerSecond);

            // SetRate stores a rate in Redis, and it wins over every process's own; the stored burst stays.
            fast.SetRate(20);
            WaitUntil(() => slow.AttemptAcquire(0) is { } && slow.PermitsPerSecond == 20);
            Assert.InRange(Run(TimeSpan.FromSeconds(10)), 199, 201);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Credentials_that_Redis_refuses_fail_the_start_instead_of_failing_open()
    {
        await using var server = await LocalRedisServer.StartAsync("--requirepass", "right");
        var services = new ServiceCollection();
        services.AddThrottleKit().UseRedis(server.Configuration + ",password=wrong");
        await using var provider = services.BuildServiceProvider();

        // What a host does at start for every ValidateOnStart registration.
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("AuthenticationFailure", error.Message, StringComparison.Ordinal);
        Assert.Contains("password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_and_the_meter_report_the_outage_the_probes_and_the_recovery()
    {
        await using var server = await LocalRedisServer.StartAsync();
        var services = new ServiceCollection().AddMetrics();
        services.AddThrottleKit().UseRedis(server.Configuration, o => (o.RetryInterval, o.KeyPrefix) = (TimeSpan.FromMilliseconds(50), SharedRedis.NewBucketName()));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        using var probes = new MetricCollector<long>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ThrottleKitMetrics.MeterName, "throttlekit.redis.probes");
        using var fallbackTime = new MetricCollector<double>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ThrottleKitMetrics.MeterName, "throttlekit.redis.fallback.time");
        var health = provider.GetRequiredService<ThrottleKitRedisHealthCheck>();
        using var limiter = provider.GetRequiredService<IRateLimiterStore>().CreateLimiter("SES", new GcraRateLimiterOptions { PermitsPerSecond = 100 }, TimeProvider.System);
        using (await limiter.AcquireAsync(1))
        {
        }

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        await server.StopAsync();
        await WaitUntilAsync(async () => (await limiter.AcquireAsync(1)).IsAcquired && ((RedisGcraRateLimiter)limiter).IsDegraded);
        var degraded = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        await Task.Delay(300);

        await server.StartAgainAsync();
        await WaitUntilAsync(() => Task.FromResult(!((RedisGcraRateLimiter)limiter).IsDegraded));
        var healthy = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, healthy.Status);

        fallbackTime.RecordObservableInstruments();
        var seconds = fallbackTime.LastMeasurement!.Value;
        Assert.InRange(seconds, 0.3, 60);
        Assert.Equal(seconds, (double)healthy.Data["fallbackSeconds"], 0.5);
        Assert.Contains(probes.GetMeasurementSnapshot(), m => m.Tags["result"] is "unanswered");
        Assert.Contains(probes.GetMeasurementSnapshot(), m => m.Tags["result"] is "answered");
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "The condition never held.");
            System.Threading.Thread.Sleep(5);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The condition never held.");
            await Task.Delay(20);
        }
    }
}
