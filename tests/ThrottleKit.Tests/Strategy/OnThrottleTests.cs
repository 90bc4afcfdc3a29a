using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Strategy;

/// <summary><see cref="ThrottlingStrategyOptions.OnThrottle"/>: an app's own hook on each retried throttle, as Polly's OnRetry.</summary>
public sealed class OnThrottleTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GcraRateLimiter _limiter;

    public OnThrottleTests() => _limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 }, _time);

    public void Dispose() => _limiter.Dispose();

    [Fact]
    public async Task It_runs_once_per_retried_throttle_with_the_attempt_the_delay_the_throttle_and_the_call_context()
    {
        var seen = new List<(int Attempt, TimeSpan Delay, Exception? Thrown, ResilienceContext Context)>();
        var pipeline = Pipeline(args =>
        {
            seen.Add((args.AttemptNumber, args.RetryDelay, args.Exception, args.Context));
            return ValueTask.CompletedTask;
        });
        var throttles = new Queue<Exception>([new ThrottleException(), new ThrottleException()]);
        var thrown = throttles.ToArray();
        var context = ResilienceContextPool.Shared.Get();

        var call = pipeline.ExecuteAsync(_ => throttles.TryDequeue(out var next) ? throw next : ValueTask.FromResult("sent"), context).AsTask();
        await RunToEndAsync(call);

        Assert.Equal("sent", await call);
        Assert.Equal([(0, TimeSpan.FromMilliseconds(10), (Exception?)thrown[0], context), (1, TimeSpan.FromMilliseconds(20), thrown[1], context)], seen);
    }

    [Fact]
    public async Task It_does_not_run_for_an_accepted_or_a_terminal_attempt_and_what_it_throws_ends_the_call()
    {
        var calls = 0;
        var pipeline = Pipeline(_ => { calls++; return ValueTask.CompletedTask; });
        Assert.Equal("sent", await pipeline.ExecuteAsync(_ => ValueTask.FromResult("sent")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("terminal")));
        Assert.Equal(0, calls);

        var broken = new InvalidOperationException("the app's hook failed");
        var failing = Pipeline(_ => throw broken);
        var attempts = 0;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing.ExecuteAsync<string>(_ => { attempts++; throw new ThrottleException(); }));
        Assert.Same(broken, error);
        Assert.Equal(1, attempts);
    }

    private ResiliencePipeline Pipeline(Func<OnThrottleArguments, ValueTask> onThrottle)
        => new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddThrottling(new ThrottlingStrategyOptions
            {
                RateLimiter = _limiter,
                Classifier = ThrottlingClassifier.Create(e => e is ThrottleException ? ThrottlingClassification.Retriable : ThrottlingClassification.Terminal),
                OnThrottle = onThrottle,
            })
            .Build();

    private async Task RunToEndAsync(Task call)
    {
        for (var ms = 0; !call.IsCompleted && ms < 10_000; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }
    }
}
