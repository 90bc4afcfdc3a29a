using System;
using System.Collections.Generic;
using System.ComponentModel.DataAnnotations;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;
using Polly.Telemetry;
using Polly.Timeout;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Strategy;

/// <summary>The throttling strategy as a Polly user stacks it, on virtual time.</summary>
public sealed class ThrottlingStrategyTests : IDisposable
{
    private static readonly IThrottlingClassifier ThrottleIsRetriable = ThrottlingClassifier.Create(
        e => e is ThrottleException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown);

    private readonly ObservableTimeProvider _time = new();
    private readonly GcraRateLimiter _limiter;
    private readonly List<TimeSpan> _attempts = [];
    private readonly DateTimeOffset _start;

    public ThrottlingStrategyTests()
    {
        _start = _time.GetUtcNow();
        _limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 }, _time);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _time.Dispose();
    }

    [Fact]
    public async Task Throttling_stacked_with_a_timeout_keeps_the_schedule_0_10_30_70_and_so_on_and_the_attempt_count()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddThrottling(Options(new ExponentialBackoffOptions { MaxRetries = 5 }))
            .AddTimeout(TimeSpan.FromSeconds(30))
            .Build();
        ThrottleException? last = null;

        var call = pipeline.ExecuteAsync<int>(_ =>
        {
            Record();
            throw last = new ThrottleException();
        }).AsTask();

        // Each attempt runs under its own timeout (a timer) and then, throttled, waits on the backoff (another timer).
        int[] delays = [10, 20, 40, 80, 160];
        for (var retry = 0; retry < delays.Length; retry++)
        {
            var timers = (2 * retry) + 2;
            await WaitUntilAsync(() => _time.TimersCreated == timers && _time.LiveTimers == 1);
            _time.Advance(TimeSpan.FromMilliseconds(delays[retry] - 1));
            Assert.Equal(retry + 1, AttemptCount());
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Same(last, await Assert.ThrowsAsync<ThrottleException>(() => call));
        Assert.Equal([0, 10, 30, 70, 150, 310], _attempts.Select(a => a.TotalMilliseconds));
    }

    [Fact]
    public async Task A_timeout_outside_throttling_bounds_the_whole_call_waits_included()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(TimeSpan.FromMilliseconds(25))
            .AddThrottling(Options(new ExponentialBackoffOptions { MinDelay = TimeSpan.FromMilliseconds(10) }))
            .Build();

        var call = pipeline.ExecuteAsync(_ =>
        {
            Record();
            return ValueTask.FromException(new ThrottleException());
        }).AsTask();
        await WaitUntilAsync(() => AttemptCount() == 1 && _time.LiveTimers == 2);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await WaitUntilAsync(() => AttemptCount() == 2 && _time.LiveTimers == 2);
        _time.Advance(TimeSpan.FromMilliseconds(15));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call);
        Assert.Equal([0, 10], _attempts.Select(a => a.TotalMilliseconds));
    }

    [Fact]
    public async Task Each_attempt_takes_the_cost_the_call_puts_in_its_context()
    {
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = 20 }, _time);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddThrottling(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = ThrottleIsRetriable, Backoff = { MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero } })
            .Build();
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ThrottlingProperties.Cost, 4);
        var calls = 0;

        await pipeline.ExecuteAsync(_ => ++calls < 3 ? throw new ThrottleException() : ValueTask.CompletedTask, context);

        Assert.Equal(20 - (3 * 4), limiter.GetStatistics()!.CurrentAvailablePermits);
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void Invalid_options_fail_when_added_with_every_setting_and_its_value()
    {
        var error = Assert.Throws<ValidationException>(() => new ResiliencePipelineBuilder().AddThrottling(new ThrottlingStrategyOptions
        {
            Backoff = { MinDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1), MaxRetries = 1000, Jitter = (BackoffJitter)9 },
        }));

        Assert.StartsWith("The 'ThrottlingStrategyOptions' are invalid.", error.Message, StringComparison.Ordinal);
        Assert.Contains("RateLimiter: RateLimiter is required.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Classifier: Classifier is required.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Backoff:MaxRetries: MaxRetries must be between 0 and 100; it is 1000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Backoff:Jitter: Jitter must be one of None, Full, Equal, Decorrelated; it is 9.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Backoff:MaxDelay: MaxDelay must be at least MinDelay (00:00:02); it is 00:00:01.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_inside_throttling_never_multiplies_attempts()
    {
        var inner = new ThrottledExecutor(Options(new ExponentialBackoffOptions { MaxRetries = 3, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }), _time);
        var outer = new ThrottledExecutor(Options(new ExponentialBackoffOptions { MaxRetries = 5, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }), _time);

        await Assert.ThrowsAsync<ThrottleException>(() => outer.ExecuteAsync(ct => inner.ExecuteAsync(_ =>
        {
            Record();
            return Task.FromException(new ThrottleException());
        }, cancellationToken: ct)));

        // The inner layer retried the throttle as far as it may; the outer one passes its verdict on, unretried.
        Assert.Equal(4, AttemptCount());
    }

    [Fact]
    public async Task An_exception_instance_thrown_again_on_a_later_call_is_retried_like_any_throttle()
    {
        // A cached exception object (a test double, a memoised failure) is a new failure of each call that throws it: the
        // first call's verdict ("retried to the end") belongs to that call, and must not make the next one pass it through.
        var executor = new ThrottledExecutor(Options(new ExponentialBackoffOptions { MaxRetries = 2, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }), _time);
        var cached = new ThrottleException();

        for (var call = 1; call <= 3; call++)
        {
            var thrown = await Assert.ThrowsAsync<ThrottleException>(() => executor.ExecuteAsync(_ =>
            {
                Record();
                return Task.FromException(cached);
            }));

            Assert.Same(cached, thrown);
            Assert.Equal(3 * call, AttemptCount());
        }
    }

    [Fact]
    public async Task A_classifier_that_throws_lets_the_calls_own_exception_surface_unretried_and_logs_the_classifiers_type()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var broken = ThrottlingClassifier.Create(_ => throw new FormatException("cannot read this"));
        var executor = new ThrottledExecutor(
            new ThrottlingStrategyOptions { RateLimiter = _limiter, Classifier = broken, Telemetry = new ThrottleKitTelemetry("SES", loggerFactory) },
            _time);
        var original = new InvalidOperationException("Email address is not verified.");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync(_ =>
        {
            Record();
            return Task.FromException(original);
        }));

        Assert.Same(original, thrown);
        Assert.Equal(1, AttemptCount());
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal("ClassifierFailed", warning.Id.Name);
        Assert.Contains(nameof(FormatException), warning.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not verified", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_never_left_is_retried_within_the_same_budget_but_is_no_throttle()
    {
        var feedback = new RecordingFeedbackLimiter(_limiter);
        var unsent = ThrottlingClassifier.Create(e => e is System.Net.Http.HttpRequestException ? ThrottlingClassification.Unsent : ThrottlingClassification.Unknown);
        var executor = new ThrottledExecutor(
            new ThrottlingStrategyOptions { RateLimiter = feedback, Classifier = unsent, Backoff = { MaxRetries = 2, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero } },
            _time);

        await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => executor.ExecuteAsync(_ =>
        {
            Record();
            return Task.FromException(new System.Net.Http.HttpRequestException("Connection refused"));
        }));

        Assert.Equal(3, AttemptCount());
        Assert.Equal(0, feedback.Throttles);
    }

    [Fact]
    public async Task Polly_telemetry_hears_each_throttle_and_the_exhaustion()
    {
        var events = new List<string>();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time, TelemetryListener = new Listener(events) }
            .AddThrottling(Options(new ExponentialBackoffOptions { MaxRetries = 2, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }))
            .Build();

        await Assert.ThrowsAsync<ThrottleException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromException(new ThrottleException())));

        Assert.Equal(["OnThrottle", "OnThrottle", "OnThrottleRetriesExhausted"], events.Where(e => e.StartsWith("OnThrottle", StringComparison.Ordinal)));
    }

    private ThrottlingStrategyOptions Options(ExponentialBackoffOptions backoff)
        => new() { RateLimiter = _limiter, Classifier = ThrottleIsRetriable, Backoff = backoff };

    private void Record()
    {
        lock (_attempts)
        {
            _attempts.Add(_time.GetUtcNow() - _start);
        }
    }

    private int AttemptCount()
    {
        lock (_attempts)
        {
            return _attempts.Count;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition(), "The condition never held.");
    }


    private sealed class Listener(List<string> events) : TelemetryListener
    {
        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            lock (events)
            {
                events.Add(args.Event.EventName);
            }
        }
    }

    private sealed class RecordingFeedbackLimiter(System.Threading.RateLimiting.RateLimiter inner) : System.Threading.RateLimiting.RateLimiter, IRateFeedback
    {
        public int Throttles { get; private set; }

        public override TimeSpan? IdleDuration => inner.IdleDuration;

        public void OnAccepted(int permits)
        {
        }

        public void OnThrottled() => Throttles++;

        public override System.Threading.RateLimiting.RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

        protected override System.Threading.RateLimiting.RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(permitCount);

        protected override ValueTask<System.Threading.RateLimiting.RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => inner.AcquireAsync(permitCount, cancellationToken);
    }
}
