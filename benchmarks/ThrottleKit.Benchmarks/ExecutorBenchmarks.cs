using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.Retry;
using ThrottleKit;

namespace ThrottleKit.Benchmarks;

/// <summary>
/// What the executor adds to a call that is not throttled, against Polly pipelines around the same call: retry alone, and
/// retry behind a rate limiter (<c>AddRateLimiter</c> + <c>AddRetry</c>, the same limiter) — what the executor does.
/// </summary>
[MemoryDiagnoser]
public class ExecutorBenchmarks
{
    private static readonly Func<System.Threading.CancellationToken, Task<int>> Operation = static _ => Task.FromResult(42);

    private GcraRateLimiter _limiter = null!;
    private ThrottledExecutor _executor = null!;
    private ResiliencePipeline _retryOnly = null!;
    private ResiliencePipeline _rateLimiterAndRetry = null!;

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1_000_000_000, Burst = 1_000_000_000 });
        _executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = _limiter, Backoff = new ExponentialBackoffOptions(), Classifier = ThrottlingClassifier.None });
        _retryOnly = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 10 }).Build();
        _rateLimiterAndRetry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 10 })
            .AddRateLimiter(_limiter)
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _limiter.Dispose();
    }

    [Benchmark]
    public ValueTask<int> Polly_RetryOnly() => _retryOnly.ExecuteAsync(static async _ => await Operation(default).ConfigureAwait(false));

    [Benchmark(Baseline = true)]
    public ValueTask<int> Polly_RateLimiterAndRetry() => _rateLimiterAndRetry.ExecuteAsync(static async _ => await Operation(default).ConfigureAwait(false));

    [Benchmark]
    public Task<int> ThrottleKit_Executor() => _executor.ExecuteAsync(Operation);
}
