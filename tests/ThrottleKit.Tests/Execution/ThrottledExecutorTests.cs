using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Moq;
using Polly.RateLimiting;
using ThrottleKit;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Execution;

public sealed class ThrottledExecutorTests : IDisposable
{
    private static readonly IThrottlingClassifier ThrottleIsRetriable = ThrottlingClassifier.Create(
        e => e is ThrottleException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown);

    private readonly ObservableTimeProvider _time = new();
    private readonly List<IDisposable> _disposables = [];
    private readonly List<TimeSpan> _attempts = [];
    private readonly SemaphoreSlim _attempted = new(0);
    private readonly DateTimeOffset _start;

    public ThrottledExecutorTests() => _start = _time.GetUtcNow();

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _attempted.Dispose();
        _time.Dispose();
    }

    [Fact]
    public async Task An_always_throttled_call_is_attempted_at_0_10_30_70_and_so_on_then_every_5_s()
    {
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 12 });
        ThrottleException? last = null;
        var call = executor.ExecuteAsync<int>(_ =>
        {
            Record();
            throw last = new ThrottleException();
        });

        TimeSpan[] expectedDelays = [.. new[] { 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5000, 5000, 5000 }.Select(ms => TimeSpan.FromMilliseconds(ms))];
        await WaitForAttemptsAsync(1);
        foreach (var delay in expectedDelays)
        {
            await _time.WaitForTimerAsync();
            var before = _attempts.Count;
            _time.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.Equal(before, AttemptCount());
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await WaitForAttemptsAsync(before + 1);
        }

        var thrown = await Assert.ThrowsAsync<ThrottleException>(() => call);
        Assert.Same(last, thrown);

        var expectedTimes = new List<TimeSpan> { TimeSpan.Zero };
        foreach (var delay in expectedDelays)
        {
            expectedTimes.Add(expectedTimes[^1] + delay);
        }

        Assert.Equal(expectedTimes, _attempts);
    }

    [Fact]
    public async Task A_terminal_error_is_attempted_once_and_rethrown_as_the_same_instance_with_its_stack_trace()
    {
        var executor = Create(new ExponentialBackoffOptions());
        InvalidOperationException? original = null;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync<int>(_ =>
        {
            Record();
            return FailTerminally(out original);
        }));

        Assert.Same(original, thrown);
        Assert.Contains(nameof(FailTerminally), thrown.StackTrace);
        Assert.Single(_attempts);
    }

    [Fact]
    public async Task A_throttled_call_that_then_succeeds_returns_the_result()
    {
        var executor = Create(new ExponentialBackoffOptions { MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        var calls = 0;

        var result = await executor.ExecuteAsync(_ => ++calls < 3 ? throw new ThrottleException() : Task.FromResult("sent"));

        Assert.Equal("sent", result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task After_the_last_retry_the_last_throttle_is_rethrown_unchanged()
    {
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 3, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        var thrown = new List<ThrottleException>();

        var error = await Assert.ThrowsAsync<ThrottleException>(() => executor.ExecuteAsync(_ =>
        {
            var exception = new ThrottleException();
            thrown.Add(exception);
            return Task.FromException(exception);
        }));

        Assert.Equal(4, thrown.Count);
        Assert.Same(thrown[^1], error);
    }

    [Fact]
    public async Task With_no_retries_a_throttle_is_attempted_once()
    {
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 0 });

        await Assert.ThrowsAsync<ThrottleException>(() => executor.ExecuteAsync(_ =>
        {
            Record();
            return Task.FromException(new ThrottleException());
        }));

        Assert.Single(_attempts);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(100, false)]   // above the costs whose boxes are shared
    [InlineData(100, true)]
    public async Task Every_attempt_retries_included_takes_its_cost_in_permits(int cost, bool withResult)
    {
        var limiter = CreateLimiter(rate: 1, burst: 1000);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions { MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, Classifier = ThrottleIsRetriable }, _time);
        var calls = 0;

        if (withResult)
        {
            Assert.Equal(7, await executor.ExecuteAsync(_ => ++calls < 3 ? throw new ThrottleException() : Task.FromResult(7), cost: cost));
        }
        else
        {
            await executor.ExecuteAsync(_ => ++calls < 3 ? throw new ThrottleException() : Task.CompletedTask, cost: cost);
        }

        // The next call, on a context the pool hands out again, takes its own cost and nothing of the last one's.
        await executor.ExecuteAsync(_ => Task.CompletedTask);

        var statistics = limiter.GetStatistics()!;
        Assert.Equal(4, statistics.TotalSuccessfulLeases);
        Assert.Equal(1000 - (3 * cost) - 1, statistics.CurrentAvailablePermits);
    }

    [Fact]
    public async Task A_call_that_completes_later_returns_its_result_once_it_has_one()
    {
        var executor = Create(new ExponentialBackoffOptions());
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = executor.ExecuteAsync(_ => answer.Task);
        Assert.False(call.IsCompleted);
        answer.SetResult("sent");

        Assert.Equal("sent", await call.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_permits_ends_promptly_and_leaves_the_permits()
    {
        var limiter = CreateLimiter(rate: 1, burst: 1);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions(), Classifier = ThrottleIsRetriable }, _time);
        await executor.ExecuteAsync(_ => Task.CompletedTask);
        using var cts = new CancellationTokenSource();

        var waiting = executor.ExecuteAsync(_ => { Record(); return Task.CompletedTask; }, cancellationToken: cts.Token);
        await _time.WaitForTimerAsync();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(_attempts);

        // The next permit is still due at 1 s: the cancelled call consumed nothing.
        var next = executor.ExecuteAsync(_ => { Record(); return Task.CompletedTask; });
        _time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([TimeSpan.FromSeconds(1)], _attempts);
    }

    [Fact]
    public async Task Cancelling_during_the_backoff_ends_promptly_without_another_attempt()
    {
        var executor = Create(new ExponentialBackoffOptions { MinDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource();

        var call = executor.ExecuteAsync(_ =>
        {
            Record();
            return Task.FromException(new ThrottleException());
        }, cancellationToken: cts.Token);
        await _time.WaitForTimerAsync();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(_attempts);
    }

    [Fact]
    public async Task The_callers_cancellation_is_never_retried_even_if_the_classifier_would()
    {
        var classifier = new Mock<IThrottlingClassifier>();
        classifier.Setup(c => c.Classify(It.IsAny<Exception>())).Returns(ThrottlingClassification.Retriable);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = CreateLimiter(rate: 100, burst: 100), Backoff = new ExponentialBackoffOptions(), Classifier = classifier.Object }, _time);
        using var cts = new CancellationTokenSource();

        var call = executor.ExecuteAsync(ct =>
        {
            Record();
            cts.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }, cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(_attempts);
        classifier.Verify(c => c.Classify(It.IsAny<Exception>()), Times.Never);
    }

    [Fact]
    public async Task The_classifier_sees_the_exception_the_operation_threw()
    {
        var classifier = new Mock<IThrottlingClassifier>();
        var error = new TimeoutException("ambiguous");
        classifier.Setup(c => c.Classify(error)).Returns(ThrottlingClassification.Terminal);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = CreateLimiter(rate: 100, burst: 100), Backoff = new ExponentialBackoffOptions(), Classifier = classifier.Object }, _time);

        Assert.Same(error, await Assert.ThrowsAsync<TimeoutException>(() => executor.ExecuteAsync(_ => Task.FromException(error))));
        classifier.Verify(c => c.Classify(error), Times.Once);
    }

    [Fact]
    public async Task A_full_queue_rejects_the_call_without_running_it()
    {
        var limiter = CreateLimiter(rate: 1, burst: 1, queueLimit: 0);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions(), Classifier = ThrottleIsRetriable }, _time);
        await executor.ExecuteAsync(_ => Task.CompletedTask);

        var rejected = await Assert.ThrowsAsync<RateLimiterRejectedException>(() => executor.ExecuteAsync(_ => { Record(); return Task.CompletedTask; }));

        Assert.Empty(_attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter);
    }

    [Fact]
    public async Task Arguments_are_checked_with_their_names()
    {
        var executor = Create(new ExponentialBackoffOptions());

        Assert.Equal("operation", (await Assert.ThrowsAsync<ArgumentNullException>(() => executor.ExecuteAsync<int>(null!))).ParamName);
        var cost = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => executor.ExecuteAsync(_ => Task.CompletedTask, cost: -2));
        Assert.Equal("cost", cost.ParamName);
        Assert.Equal(-2, cost.ActualValue);
    }

    [Fact]
    public void Invalid_options_are_rejected_when_the_executor_is_built_naming_the_setting_and_its_value()
    {
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => new ThrottledExecutor(new ThrottlingStrategyOptions { Classifier = ThrottleIsRetriable }, _time));
        Assert.Equal("RateLimiter", missing.ParamName);

        var options = new ThrottlingStrategyOptions { RateLimiter = CreateLimiter(rate: 1, burst: 1), Classifier = ThrottleIsRetriable, Backoff = { MaxRetries = -1, MaxDelay = TimeSpan.FromDays(2) } };
        var retries = Assert.Throws<ArgumentOutOfRangeException>(() => new ThrottledExecutor(options, _time));
        Assert.Equal("Backoff:MaxDelay", retries.ParamName);
        Assert.Contains("Backoff:MaxRetries: MaxRetries must be between 0 and 100; it is -1.", retries.Message, StringComparison.Ordinal);
        Assert.Contains("Backoff:MaxDelay: MaxDelay must be between 00:00:00 and 1.00:00:00; it is 2.00:00:00.", retries.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_executor_never_disposes_the_limiter_it_was_given()
    {
        var shared = CreateLimiter(rate: 5, burst: 5);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = shared, Classifier = ThrottleIsRetriable }, _time);

        await executor.ExecuteAsync(_ => Task.CompletedTask);

        Assert.Same(shared, executor.RateLimiter);
        Assert.True(shared.AttemptAcquire().IsAcquired);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<int> FailTerminally(out InvalidOperationException error)
    {
        error = new InvalidOperationException("Email address is not verified.");
        throw error;
    }

    private void Record()
    {
        lock (_attempts)
        {
            _attempts.Add(_time.GetUtcNow() - _start);
        }

        _attempted.Release();
    }

    private int AttemptCount()
    {
        lock (_attempts)
        {
            return _attempts.Count;
        }
    }

    private async Task WaitForAttemptsAsync(int count)
    {
        while (AttemptCount() < count)
        {
            Assert.True(await _attempted.WaitAsync(TimeSpan.FromSeconds(10)), $"Attempt {count} never came.");
        }
    }

    private ThrottledExecutor Create(ExponentialBackoffOptions backoff)
        => new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = CreateLimiter(rate: 1000, burst: 1000), Backoff = backoff, Classifier = ThrottleIsRetriable }, _time);

    private GcraRateLimiter CreateLimiter(double rate, int burst, int queueLimit = int.MaxValue)
        => Track(new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst, QueueLimit = queueLimit }, _time));

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
