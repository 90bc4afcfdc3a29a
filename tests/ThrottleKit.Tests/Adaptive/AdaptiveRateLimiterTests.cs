using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using ThrottleKit;

namespace ThrottleKit.Tests.Adaptive;

public sealed class AdaptiveRateLimiterTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly AdaptiveRateLimiter _limiter;

    public AdaptiveRateLimiterTests()
        => _limiter = new AdaptiveRateLimiter(
            new GcraRateLimiterOptions { PermitsPerSecond = 100, Burst = 10 },
            new AdaptiveRateOptions { Enabled = true, MinPermitsPerSecond = 1, MaxPermitsPerSecond = 500 },
            _time);

    public void Dispose() => _limiter.Dispose();

    [Fact]
    public void A_first_throttle_cuts_the_rate_by_the_factor_from_what_went_through_over_the_last_second()
    {
        Accept(perSecond: 70, seconds: 1);

        _limiter.OnThrottled();

        // Nothing exact is known yet: the last second may hold a burst the service had saved.
        Assert.InRange(_limiter.PermitsPerSecond, (70 * 0.5) - 0.5, (70 * 0.5) + 0.5);
        Assert.Equal(1, _limiter.Decreases);
    }

    [Fact]
    public void The_accepted_rate_is_counted_in_permits_so_calls_of_several_recipients_weigh_what_they_cost()
    {
        Accept(perSecond: 14, seconds: 1, permits: 5);   // 14 sends of 5 recipients: 70 recipients a second

        _limiter.OnThrottled();

        Assert.InRange(_limiter.PermitsPerSecond, (70 * 0.5) - 0.5, (70 * 0.5) + 0.5);
    }

    [Fact]
    public void After_a_decrease_the_next_throttle_reads_the_quota_from_what_the_service_accepted_since()
    {
        Accept(perSecond: 90, seconds: 1);   // the service's burst let 90/s through ...
        _limiter.OnThrottled();
        Assert.InRange(_limiter.PermitsPerSecond, 44.5, 45.5);

        Accept(perSecond: 40, seconds: 0.5);   // ... then it took its quota, 40/s, and throttled again
        _limiter.OnThrottled();

        // Over the last full second it would read (45 + 20) / 1 s = 65; between the two throttles it read exactly 40.
        Assert.Equal(40 * 0.98, _limiter.PermitsPerSecond, 6);
        Assert.Equal(2, _limiter.Decreases);
    }

    [Fact]
    public void After_a_decrease_the_rate_holds_for_the_hold_time_before_it_grows()
    {
        Accept(perSecond: 40, seconds: 1);
        _limiter.OnThrottled();
        var settled = _limiter.PermitsPerSecond;

        Accept(perSecond: 40, seconds: 0.95);
        Assert.Equal(settled, _limiter.PermitsPerSecond);

        Accept(perSecond: 40, seconds: 1.5);
        Assert.True(_limiter.PermitsPerSecond > settled * 1.01, $"{_limiter.PermitsPerSecond} did not grow from {settled}.");
    }

    [Fact]
    public void The_bucket_starts_empty_but_for_one_permit_so_no_burst_goes_out_on_a_guessed_rate()
    {
        Assert.True(_limiter.AttemptAcquire().IsAcquired);
        Assert.False(_limiter.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromMilliseconds(10));   // one interval at 100/s
        Assert.True(_limiter.AttemptAcquire().IsAcquired);
        Assert.False(_limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_burst_of_throttles_from_one_congestion_event_counts_as_one_decrease()
    {
        Accept(perSecond: 40, seconds: 1);
        _limiter.OnThrottled();
        var afterFirst = _limiter.PermitsPerSecond;

        // Within the congestion window (100 ms, or five permits' worth at the rate: 250 ms at 20/s): answers to requests
        // sent before the decrease.
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            _limiter.OnThrottled();
        }

        Assert.Equal(afterFirst, _limiter.PermitsPerSecond);
        Assert.Equal(1, _limiter.Decreases);

        _time.Advance(TimeSpan.FromMilliseconds(20));
        _limiter.OnThrottled();
        Assert.Equal(2, _limiter.Decreases);
        Assert.True(_limiter.PermitsPerSecond < afterFirst);
    }

    [Fact]
    public void Between_throttles_the_rate_grows_back_and_beyond_the_last_peak()
    {
        Accept(perSecond: 40, seconds: 1);
        _limiter.OnThrottled();
        var low = _limiter.PermitsPerSecond;

        Accept(perSecond: 45, seconds: 6);

        Assert.True(_limiter.PermitsPerSecond > 40 * 1.5, $"After 6 s without throttles the rate is {_limiter.PermitsPerSecond}, started at {low}.");
    }

    [Fact]
    public void The_rate_stays_within_its_floor_and_ceiling()
    {
        for (var i = 0; i < 50; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _limiter.OnThrottled();
        }

        Assert.Equal(1, _limiter.PermitsPerSecond);

        Accept(perSecond: 1000, seconds: 30);
        Assert.InRange(_limiter.PermitsPerSecond, 500 * 0.995, 500);
    }

    [Fact]
    public void An_account_quota_below_the_floor_wins_and_the_floor_comes_back_when_the_quota_rises()
    {
        // The account allows 0.5/s, under the configured floor of 1/s: the lower wins, throttles or none.
        _limiter.SetMaxRate(0.5);
        Assert.Equal((0.5, 0.5), (_limiter.PermitsPerSecond, _limiter.MinPermitsPerSecond));
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            _limiter.OnThrottled();
            Assert.Equal(0.5, _limiter.PermitsPerSecond);
        }

        // The quota rises back above the floor: the configured floor holds again, and the rate never goes under it.
        _limiter.SetMaxRate(200);
        for (var i = 0; i < 50; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            _limiter.OnThrottled();
        }

        Assert.Equal((1.0, 1.0), (_limiter.PermitsPerSecond, _limiter.MinPermitsPerSecond));
    }

    [Fact]
    public async Task An_executor_over_an_adaptive_limiter_reports_accepted_and_throttled_attempts()
    {
        var classifier = ThrottlingClassifier.Create(e => e is TimeoutException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = _limiter, Backoff = new ExponentialBackoffOptions { MaxRetries = 0 }, Classifier = classifier }, _time);
        // The bucket starts empty but for one permit: one call per 10 ms interval at 100/s.
        for (var i = 0; i < 9; i++)
        {
            await executor.ExecuteAsync(_ => Task.FromResult(i));
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        await Assert.ThrowsAsync<TimeoutException>(() => executor.ExecuteAsync(_ => Task.FromException(new TimeoutException())));

        Assert.Equal(1, _limiter.Decreases);
        Assert.True(_limiter.PermitsPerSecond < 100);
    }

    [Fact]
    public void Invalid_adaptive_options_name_the_option()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRateLimiter(
            new GcraRateLimiterOptions { PermitsPerSecond = 1 },
            new AdaptiveRateOptions { DecreaseFactor = 1.5 },
            _time));

        Assert.Equal("DecreaseFactor", error.ParamName);
    }

    private void Accept(double perSecond, double seconds, int permits = 1)
    {
        var step = TimeSpan.FromSeconds(1 / perSecond);
        for (var i = 0; i < perSecond * seconds; i++)
        {
            _time.Advance(step);
            _limiter.OnAccepted(permits);
        }
    }
}
