using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ThrottleKit.Redis.Tests.Support;

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
    public async Task An_adaptive_rate_steers_a_Redis_bucket()
    {
        var services = new ServiceCollection();
        services.AddThrottleKit().UseRedis(redis.Configuration, o => o.KeyPrefix = SharedRedis.NewBucketName());
        await using var provider = services.BuildServiceProvider();
        var bucket = provider.GetRequiredService<IRateLimiterStore>().CreateLimiter("Campaigns", new GcraRateLimiterOptions { PermitsPerSecond = 5 }, TimeProvider.System);

        using var adaptive = AdaptiveRateLimiter.Over(bucket, new AdaptiveRateOptions { MaxPermitsPerSecond = 4 });

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
