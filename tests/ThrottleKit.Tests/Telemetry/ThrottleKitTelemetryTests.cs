using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly.RateLimiting;
using ThrottleKit;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Telemetry;

public sealed class ThrottleKitTelemetryTests : IDisposable
{
    private const string Secret = "user@example.com";

    private static readonly IThrottlingClassifier Classifier = ThrottlingClassifier.Create(
        e => e is TimeoutException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown);

    private readonly ServiceProvider _container = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ObservableTimeProvider _time = new();
    private readonly FakeLogCollector _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ThrottleKitMetrics _metrics;

    public ThrottleKitTelemetryTests()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(_logs)));
        _metrics = new ThrottleKitMetrics(_container.GetRequiredService<IMeterFactory>());
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _container.Dispose();
        _time.Dispose();
    }

    [Fact]
    public async Task A_call_throttled_to_the_end_counts_each_throttle_retry_and_the_exhaustion_tagged_by_service()
    {
        using var throttles = Collect<long>("throttlekit.throttles");
        using var retries = Collect<long>("throttlekit.retries");
        using var exhausted = Collect<long>("throttlekit.calls.exhausted");
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 2, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        await Assert.ThrowsAsync<TimeoutException>(() => executor.ExecuteAsync(_ => Task.FromException(new TimeoutException($"to {Secret}"))));

        Assert.Equal(3, throttles.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, retries.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, exhausted.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(throttles.GetMeasurementSnapshot(), m => Assert.Equal("SES", m.Tags["throttlekit.service"]));
        Assert.Equal([1001, 1002, 1001, 1002, 1001, 1003], _logs.GetSnapshot().Select(r => r.Id.Id));
        Assert.Contains("retry 2 of 2", _logs.GetSnapshot()[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttle_with_no_retries_still_counts_as_seen_and_exhausted()
    {
        using var throttles = Collect<long>("throttlekit.throttles");
        using var exhausted = Collect<long>("throttlekit.calls.exhausted");
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 0 });

        await Assert.ThrowsAsync<TimeoutException>(() => executor.ExecuteAsync(_ => Task.FromException(new TimeoutException())));

        Assert.Equal(1, throttles.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, exhausted.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task A_terminal_failure_is_logged_by_type_without_its_message()
    {
        using var throttles = Collect<long>("throttlekit.throttles");
        var executor = Create(new ExponentialBackoffOptions());

        await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync(_ => Task.FromException(new InvalidOperationException($"Email address is not verified: {Secret}"))));

        var record = Assert.Single(_logs.GetSnapshot());
        Assert.Equal(1004, record.Id.Id);
        Assert.Equal("TerminalFailure", record.Id.Name);
        Assert.Contains(nameof(InvalidOperationException), record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, record.Message, StringComparison.Ordinal);
        Assert.Null(record.Exception);
        Assert.Empty(throttles.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task No_log_event_ever_carries_an_exception_message()
    {
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 1, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        await Assert.ThrowsAsync<TimeoutException>(() => executor.ExecuteAsync(_ => Task.FromException(new TimeoutException(Secret))));
        await Assert.ThrowsAsync<ArgumentException>(() => executor.ExecuteAsync(_ => Task.FromException(new ArgumentException(Secret))));

        Assert.NotEmpty(_logs.GetSnapshot());
        Assert.All(_logs.GetSnapshot(), r => Assert.DoesNotContain(Secret, r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_queue_counts_a_rejected_call_and_logs_it()
    {
        using var rejected = Collect<long>("throttlekit.calls.rejected");
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = 1, QueueLimit = 0 }, _time);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions(), Classifier = Classifier, Telemetry = Telemetry() }, _time);
        await executor.ExecuteAsync(_ => Task.CompletedTask);

        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => executor.ExecuteAsync(_ => Task.CompletedTask));

        Assert.Equal(1, rejected.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1005, Assert.Single(_logs.GetSnapshot()).Id.Id);
    }

    [Fact]
    public async Task Per_throttle_events_are_Debug_and_a_storm_of_exhausted_calls_is_one_warning_a_second_with_a_count()
    {
        var executor = Create(new ExponentialBackoffOptions { MaxRetries = 1, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        for (var i = 0; i < 100; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => executor.ExecuteAsync(_ => Task.FromException(new TimeoutException())));
        }

        var records = _logs.GetSnapshot();
        Assert.All(records.Where(r => r.Id.Id is 1001 or 1002), r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.Equal(200, records.Count(r => r.Id.Id == 1001));

        // The exhausted calls all came within a second of each other: one warning stands for them.
        var warning = Assert.Single(records, r => r.Level >= LogLevel.Information);
        Assert.Equal(1003, warning.Id.Id);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task After_a_quiet_second_the_next_warning_says_how_many_it_held_back()
    {
        var gate = new ThrottleKit.Internal.LogGate();
        Assert.True(gate.TryEnter(out var none));
        Assert.Equal(0, none);
        Assert.False(gate.TryEnter(out _));
        Assert.False(gate.TryEnter(out _));
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        Assert.True(gate.TryEnter(out var suppressed));
        Assert.Equal(2, suppressed);
    }

    [Fact]
    public async Task Permit_wait_time_is_recorded_in_seconds()
    {
        using var waits = Collect<double>("throttlekit.permit.wait.duration");
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 1 }, _time);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions(), Classifier = Classifier, Telemetry = Telemetry() }, _time);

        await executor.ExecuteAsync(_ => Task.CompletedTask);
        var second = executor.ExecuteAsync(_ => Task.CompletedTask);
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await second.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([0, 0.1], waits.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal("s", waits.Instrument!.Unit);
    }

    [Fact]
    public void The_rate_gauge_reports_the_limit_in_force_once_per_limiter_however_many_pipelines_run_over_it()
    {
        using var rates = Collect<double>("throttlekit.rate_limit.rate");
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 14 }, _time);
        var telemetry = Telemetry();
        var first = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = Classifier, Telemetry = telemetry }, _time);
        var second = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = Classifier, Telemetry = telemetry }, _time);

        rates.RecordObservableInstruments();
        limiter.SetRate(20);
        rates.RecordObservableInstruments();

        Assert.Equal([14, 20], rates.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.All(rates.GetMeasurementSnapshot(), m => Assert.Equal("SES", m.Tags["throttlekit.service"]));
        GC.KeepAlive(first);
        GC.KeepAlive(second);
    }

    [Fact]
    public async Task The_permit_wait_is_tagged_with_the_calls_priority_and_the_queue_depth_is_reported_by_priority()
    {
        using var waits = Collect<double>("throttlekit.permit.wait.duration");
        using var queued = Collect<int>("throttlekit.rate_limit.queued");
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 1 }, _time);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = Classifier, Telemetry = Telemetry() }, _time);

        await executor.ExecuteAsync(_ => Task.CompletedTask);
        Task Send(ThrottlePriority priority)
        {
            using (PriorityScope.Enter(new RequestPriority(priority, flow: "tenant-a")))
            {
                return executor.ExecuteAsync(_ => Task.CompletedTask);
            }
        }

        var waiting = new[] { Send(ThrottlePriority.Low), Send(ThrottlePriority.Low), Send(ThrottlePriority.High) };
        queued.RecordObservableInstruments();
        var depth = queued.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["throttlekit.priority"]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { ["High"] = 1, ["Normal"] = 0, ["Low"] = 2 }, depth);

        // One interval at a time: each grant arms the timer for the next.
        for (var ms = 0; ms < 320; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(5));
        // Each wait is recorded as its call resumes, on the thread pool: the tags are counted, not ordered.
        Assert.Equal(["High", "Low", "Low", "Normal"], waits.GetMeasurementSnapshot().Select(m => (string)m.Tags["throttlekit.priority"]!).Order(StringComparer.Ordinal));
        Assert.All(waits.GetMeasurementSnapshot(), m => Assert.False(m.Tags.ContainsKey("flow")));
    }

    [Fact]
    public void Instrument_names_follow_OpenTelemetry_conventions()
    {
        var names = new System.Collections.Generic.List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == ThrottleKitMetrics.MeterName)
            {
                lock (names)
                {
                    names.Add(instrument.Name);
                }
            }
        };
        listener.Start();
        using var metrics = new ThrottleKitMetrics();

        Assert.Equal(
            ["throttlekit.calls.exhausted", "throttlekit.calls.rejected", "throttlekit.permit.wait.duration", "throttlekit.rate_limit.queued", "throttlekit.rate_limit.rate", "throttlekit.retries", "throttlekit.throttles"],
            names.Distinct().Order(StringComparer.Ordinal));
        Assert.All(names, n => Assert.Matches("^[a-z][a-z0-9_.]*$", n));
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct
        => new(_container.GetRequiredService<IMeterFactory>(), ThrottleKitMetrics.MeterName, instrument, _time);

    private ThrottleKitTelemetry Telemetry() => new("SES", _loggerFactory, _metrics);

    private ThrottledExecutor Create(ExponentialBackoffOptions backoff)
        => new(
            new ThrottlingStrategyOptions
            {
                RateLimiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000 }, _time),
                Backoff = backoff,
                Classifier = Classifier,
                Telemetry = Telemetry(),
            },
            _time);
}
