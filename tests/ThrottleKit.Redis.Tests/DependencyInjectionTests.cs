using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ThrottleKit.Adaptive;
using ThrottleKit.Aws;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Execution;
using ThrottleKit.Redis.DependencyInjection;
using ThrottleKit.Redis.Tests.Support;

namespace ThrottleKit.Redis.Tests;

[Collection(RedisTests.Name)]
public sealed class DependencyInjectionTests(SharedRedis redis)
{
    [Fact]
    public async Task UseRedis_puts_each_services_bucket_in_Redis_under_its_service_key()
    {
        var prefix = SharedRedis.NewBucketName();
        var services = new ServiceCollection();
        services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = 30)
            .UseRedis(redis.Configuration, o => o.KeyPrefix = prefix);
        await using var provider = services.BuildServiceProvider();

        var executor = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);
        await executor.ExecuteAsync(_ => Task.CompletedTask, cost: 3);

        var limiter = Assert.IsType<RedisTokenBucketRateLimiter>(executor.RateLimiter);
        Assert.Equal($"{prefix}:{{SES}}", limiter.Key);
        Assert.Equal(30, limiter.PermitsPerSecond);
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(limiter.Key));
        Assert.Equal(1, limiter.RoundTrips);
    }

    [Fact]
    public async Task With_the_adaptive_rate_on_the_adaptive_limiter_steers_the_Redis_bucket()
    {
        var services = new ServiceCollection();
        services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.ConnectCampaigns].Adaptive.Enabled = true)
            .UseRedis(redis.Configuration, o => o.KeyPrefix = SharedRedis.NewBucketName());
        await using var provider = services.BuildServiceProvider();

        var executor = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.ConnectCampaigns);

        Assert.IsType<AdaptiveRateLimiter>(executor.RateLimiter);
        await executor.ExecuteAsync(_ => Task.CompletedTask);
    }

    [Fact]
    public void Bad_Redis_options_fail_at_startup_naming_the_setting()
    {
        var services = new ServiceCollection();
        services.AddThrottledAwsClients().UseRedis(redis.Configuration, o => o.ExpectedInstances = 0);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisRateLimiterOptions>>().Value);

        Assert.Contains("ExpectedInstances", error.Message, StringComparison.Ordinal);
    }
}
