using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Testing.Tests;

/// <summary>The fake executor as a user's unit test drives it: scripted answers, recorded attempts, virtual time.</summary>
public class FakeThrottledExecutorTests
{
    [Fact]
    public async Task Throttled_twice_then_let_through_the_operation_runs_once_after_10_and_20_ms_of_virtual_backoff()
    {
        var executor = new FakeThrottledExecutor().ThrottleNext(2);
        var runs = 0;
        var clock = Stopwatch.StartNew();

        var result = await executor.ExecuteAsync(_ => Task.FromResult(++runs), cost: 3);

        Assert.Equal((1, 1), (result, runs));
        Assert.Equal([FakeOutcome.Throttled, FakeOutcome.Throttled, FakeOutcome.Ran], executor.Attempts.Select(a => a.Outcome));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(30)], executor.Attempts.Select(a => a.At));
        Assert.All(executor.Attempts, a => Assert.Equal((1, 3), (a.Call, a.Cost)));
        Assert.Equal(TimeSpan.FromMilliseconds(30), executor.Elapsed);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Virtual time should not be waited for; took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Throttled_past_the_retries_the_throttle_surfaces_after_MaxRetries_plus_one_attempts()
    {
        var executor = new FakeThrottledExecutor(new ExponentialBackoffOptions { MaxRetries = 3 }).ThrottleNext(10);

        await Assert.ThrowsAsync<SimulatedThrottleException>(() => executor.ExecuteAsync(_ => Task.CompletedTask));

        Assert.Equal(4, executor.Attempts.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(10 + 20 + 40), executor.Elapsed);
    }

    [Fact]
    public async Task A_scripted_failure_that_is_not_a_throttle_surfaces_at_once_unchanged_and_the_next_call_runs()
    {
        var rejected = new InvalidOperationException("Email address is not verified.");
        var executor = new FakeThrottledExecutor().FailNext(rejected);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync(_ => Task.CompletedTask));
        await executor.ExecuteAsync(_ => Task.CompletedTask);

        Assert.Same(rejected, error);
        Assert.Equal([(1, FakeOutcome.Failed), (2, FakeOutcome.Ran)], executor.Attempts.Select(a => (a.Call, a.Outcome)));
        Assert.Equal(TimeSpan.Zero, executor.Elapsed);
    }

    [Fact]
    public async Task The_limiter_paces_calls_in_virtual_time_and_cancellation_is_honoured()
    {
        var executor = new FakeThrottledExecutor(rateLimit: new GcraRateLimiterOptions { PermitsPerSecond = 2, Burst = 1 });

        for (var i = 0; i < 5; i++)
        {
            await executor.ExecuteAsync(_ => Task.CompletedTask);
        }

        Assert.Equal(TimeSpan.FromSeconds(2), executor.Elapsed);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => executor.ExecuteAsync(_ => Task.CompletedTask, cancellationToken: canceled.Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.ThrottleNext(-1));
        Assert.Throws<ArgumentNullException>(() => executor.FailNext(null!));
    }
}
