using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ThrottleKit.Redis.Tests.Support;
using ThrottleKit.Testing;
using ThrottleKit.TestSupport;

namespace ThrottleKit.Redis.Tests;

/// <summary><c>UseRedis</c> on any ThrottleKit registration: the container's store keeps every bucket in Redis.</summary>
[Collection(RedisTests.Name)]
public sealed class DependencyInjectionTests(SharedRedis redis)
{
    [Fact]
    public async Task UseRedis_makes_every_bucket_of_the_container_a_Redis_bucket_named_after_it()
    {
        var prefix = SharedRedis.NewBucketName();
        var services = new ServiceCollection();
        services.AddThrottleKit().UseRedis(redis.Configuration, o => o.KeyPrefix = prefix);
        await using var provider = services.BuildServiceProvider();

        // What a host does at start, and what an app without one calls before its first send: the connection is then made.
        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<IRateLimiterStore>();
        using var limiter = Assert.IsType<RedisGcraRateLimiter>(store.CreateLimiter("SES:us-east-1:0123456789abcdef", new GcraRateLimiterOptions { PermitsPerSecond = 30 }, TimeProvider.System));
        using var lease = await limiter.AcquireAsync(3);

        Assert.True(lease.IsAcquired);
        Assert.Equal($"{prefix}:{{SES:us-east-1:0123456789abcdef}}", limiter.Key);
        Assert.Equal(30, limiter.PermitsPerSecond);
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(limiter.Key));
        Assert.Equal(1, limiter.RoundTrips);
    }

    [Fact]
    public async Task With_a_lease_period_every_bucket_of_the_container_leases_from_its_Redis_bucket()
    {
        var prefix = SharedRedis.NewBucketName();
        var services = new ServiceCollection();
        services.AddThrottleKit().UseRedis(redis.Configuration, o => (o.KeyPrefix, o.LeasePeriod) = (prefix, TimeSpan.FromMilliseconds(250)));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<IRateLimiterStore>();

        using var limiter = Assert.IsType<LeasingRateLimiter>(store.CreateLimiter("SES:us-east-1:0123456789abcdef", new GcraRateLimiterOptions { PermitsPerSecond = 30 }, TimeProvider.System));
        for (var i = 0; i < 10; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            Assert.True(lease.IsAcquired);
        }

        // Ten permits, fewer acquires of the Redis bucket: the first lease is one permit, the next are sized by the demand
        // (about five here; a machine slow enough to let a lease period pass between two calls makes more).
        Assert.InRange(limiter.SharedAcquires, 1, 9);
        Assert.Equal(30, limiter.PermitsPerSecond);
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync($"{prefix}:{{SES:us-east-1:0123456789abcdef}}"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Category", RealClock.Category)]
    public async Task Without_a_host_start_no_call_waits_on_connecting_longer_than_the_budget_and_a_frozen_Redis_is_ridden_out_at_the_fallback_rate(bool frozen)
    {
        // A console tool, a test, a Lambda handler: nothing calls the start-up validation, so the first send makes the
        // connection. It must neither block a thread nor hold a caller past AcquireTimeout, with Redis up or frozen.
        await using var server = await LocalRedisServer.StartAsync();
        if (frozen)
        {
            server.Freeze();
        }

        try
        {
            var budget = TimeSpan.FromMilliseconds(50);
            var services = new ServiceCollection();
            services.AddThrottleKit().UseRedis($"{server.Configuration},connectTimeout=5000", o => (o.KeyPrefix, o.AcquireTimeout) = (SharedRedis.NewBucketName(), budget));
            await using var provider = services.BuildServiceProvider();
            await using var lag = SchedulingLagProbe.Start();
            using var limiter = (RedisGcraRateLimiter)provider.GetRequiredService<IRateLimiterStore>().CreateLimiter("SES", new GcraRateLimiterOptions { PermitsPerSecond = 50, Burst = 5 }, TimeProvider.System);

            var longest = TimeSpan.Zero;
            var granted = 0;
            var run = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            {
                // Sixteen callers, each once every 400 ms and 25 ms apart: 40/s, evenly spaced, under the bucket's 50/s (the
                // fallback's too), so no call waits on the bucket's queue and a call's time is its wait on Redis.
                await Task.Delay(25 * i);
                while (run.Elapsed < TimeSpan.FromSeconds(3))
                {
                    var call = Stopwatch.StartNew();
                    using var lease = await limiter.AcquireAsync(1);
                    lock (run)
                    {
                        longest = call.Elapsed > longest ? call.Elapsed : longest;
                        granted += lease.IsAcquired ? 1 : 0;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(400) - call.Elapsed);
                }
            })));

            var seconds = run.Elapsed.TotalSeconds;
            var evidence = $"frozen: {frozen}; {granted} granted in {seconds:0.00} s, the longest call {longest.TotalMilliseconds:0} ms (budget {budget.TotalMilliseconds:0} ms, lag {lag.MaxLag().TotalMilliseconds:0} ms); degraded {limiter.IsDegraded}, {limiter.FallbackLeases} from the fallback; {RealClock.LoadAverage()}";
            Assert.True(longest <= budget + TimeSpan.FromMilliseconds(100) + lag.MaxLag(), evidence);
            Assert.True(granted >= 40 * 0.8 * 3, evidence);
            Assert.Equal(frozen, limiter.IsDegraded);
        }
        finally
        {
            server.Thaw();
        }
    }

    [Fact]
    public async Task An_adaptive_rate_steers_a_Redis_bucket()
    {
        var services = new ServiceCollection();
        services.AddThrottleKit().UseRedis(redis.Configuration, o => o.KeyPrefix = SharedRedis.NewBucketName());
        await using var provider = services.BuildServiceProvider();
        var bucket = provider.GetRequiredService<IRateLimiterStore>().CreateLimiter("Campaigns", new GcraRateLimiterOptions { PermitsPerSecond = 5 }, TimeProvider.System);

        using var adaptive = new AdaptiveRateLimiter(bucket, new AdaptiveRateOptions { MaxPermitsPerSecond = 4 });

        Assert.Equal(4, ((RedisGcraRateLimiter)bucket).PermitsPerSecond);
        using var lease = await adaptive.AcquireAsync(1);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void Bad_Redis_options_fail_at_start_naming_every_setting_and_its_value()
    {
        var services = new ServiceCollection();
        services.AddThrottleKit().UseRedis(redis.Configuration, o =>
        {
            o.ExpectedInstances = 0;
            o.KeyPrefix = "tenant{1}";
            o.RetryInterval = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Redis:ExpectedInstances: ExpectedInstances must be between 1 and 10000; it is 0.", error.Failures);
        Assert.Contains("Redis:KeyPrefix: KeyPrefix must be 1 to 128 characters, with no brace, whitespace or control character; it is 'tenant{1}'.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Redis:RetryInterval:", StringComparison.Ordinal));
    }
}
