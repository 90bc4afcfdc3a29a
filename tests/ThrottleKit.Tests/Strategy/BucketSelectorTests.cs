using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Strategy;

/// <summary>One pipeline, a bucket per tenant: the public route by which a call picks what it is throttled against.</summary>
public sealed class BucketSelectorTests : IDisposable
{
    private static readonly ResiliencePropertyKey<string> Tenant = new("tenant");
    private static readonly IThrottlingClassifier ThrottleIsRetriable = ThrottlingClassifier.Create(
        e => e is ThrottleException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown);

    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<string, ThrottlingBucket> _buckets = [];

    public BucketSelectorTests()
    {
        foreach (var tenant in new[] { "a", "b" })
        {
            _buckets[tenant] = new ThrottlingBucket(new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = 3 }, _time));
        }
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.RateLimiter.Dispose();
        }
    }

    [Fact]
    public async Task Each_call_spends_the_bucket_its_selector_picks_and_no_other()
    {
        var pipeline = Pipeline(new ThrottlingStrategyOptions
        {
            BucketSelector = args => args.Context.Properties.TryGetValue(Tenant, out var tenant) ? _buckets[tenant] : null,
            Classifier = ThrottleIsRetriable,
        });

        await RunAsync(pipeline, "a", cost: 3);

        Assert.Equal(0, _buckets["a"].RateLimiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(3, _buckets["b"].RateLimiter.GetStatistics()!.CurrentAvailablePermits);
        await RunAsync(pipeline, "b", cost: 2);
        Assert.Equal(1, _buckets["b"].RateLimiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task A_call_the_selector_answers_no_bucket_for_spends_the_options_own()
    {
        using var own = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = 5 }, _time);
        var pipeline = Pipeline(new ThrottlingStrategyOptions
        {
            RateLimiter = own,
            BucketSelector = args => args.Context.Properties.TryGetValue(Tenant, out var tenant) ? _buckets[tenant] : null,
            Classifier = ThrottleIsRetriable,
        });

        await RunAsync(pipeline, tenant: null, cost: 2);

        Assert.Equal(3, own.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(3, _buckets["a"].RateLimiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task A_call_with_no_bucket_at_all_fails_unsent_and_a_selector_that_throws_fails_the_call_with_its_error()
    {
        var sent = 0;
        var pipeline = Pipeline(new ThrottlingStrategyOptions { BucketSelector = _ => null, Classifier = ThrottleIsRetriable });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(_ => { sent++; return ValueTask.CompletedTask; }).AsTask());
        Assert.Contains("BucketSelector picked no bucket", error.Message, StringComparison.Ordinal);

        var broken = new InvalidOperationException("tenant table unavailable");
        pipeline = Pipeline(new ThrottlingStrategyOptions { BucketSelector = _ => throw broken, Classifier = ThrottleIsRetriable });
        Assert.Same(broken, await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(_ => { sent++; return ValueTask.CompletedTask; }).AsTask()));
        Assert.Equal(0, sent);
    }

    [Fact]
    public async Task A_throttle_is_retried_against_the_picked_bucket_so_each_attempt_spends_it()
    {
        var pipeline = Pipeline(new ThrottlingStrategyOptions
        {
            BucketSelector = args => _buckets[args.Context.Properties.GetValue(Tenant, "a")],
            Classifier = ThrottleIsRetriable,
            Backoff = { MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero },
        });
        var attempts = 0;

        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(Tenant, "b");
        await pipeline.ExecuteAsync(_ => ++attempts < 3 ? throw new ThrottleException() : ValueTask.CompletedTask, context);
        ResilienceContextPool.Shared.Return(context);

        Assert.Equal(3, attempts);
        Assert.Equal(0, _buckets["b"].RateLimiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(3, _buckets["a"].RateLimiter.GetStatistics()!.CurrentAvailablePermits);
    }

    private ResiliencePipeline Pipeline(ThrottlingStrategyOptions options)
        => new ResiliencePipelineBuilder { TimeProvider = _time }.AddThrottling(options).Build();

    private static async Task RunAsync(ResiliencePipeline pipeline, string? tenant, int cost)
    {
        var context = ResilienceContextPool.Shared.Get();
        if (tenant is not null)
        {
            context.Properties.Set(Tenant, tenant);
        }

        context.Properties.Set(ThrottlingProperties.Cost, cost);
        try
        {
            await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
