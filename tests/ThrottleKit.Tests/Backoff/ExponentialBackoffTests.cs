using System;
using System.Linq;
using ThrottleKit;

namespace ThrottleKit.Tests.Backoff;

public class ExponentialBackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    [Fact]
    public void Defaults_are_10_ms_to_5_s_with_10_retries_and_no_jitter()
    {
        var backoff = new ExponentialBackoff(new ExponentialBackoffOptions());

        Assert.Equal(Min, backoff.MinDelay);
        Assert.Equal(Max, backoff.MaxDelay);
        Assert.Equal(10, backoff.MaxRetries);
        Assert.Equal(BackoffJitter.None, backoff.Jitter);
    }

    [Fact]
    public void The_nth_retry_waits_min_times_two_to_the_n_capped_at_max()
    {
        var backoff = new ExponentialBackoff(new ExponentialBackoffOptions());

        var delays = Enumerable.Range(0, 12).Select(n => backoff.GetDelay(n, TimeSpan.Zero, 0.5).TotalMilliseconds);

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5000, 5000, 5000], delays);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void Huge_retry_numbers_stay_at_the_cap_without_overflow(int retry)
    {
        Assert.Equal(Max, ExponentialBackoff.CappedDelay(Min, Max, retry));
        Assert.Equal(TimeSpan.MaxValue, ExponentialBackoff.CappedDelay(TimeSpan.FromTicks(1), TimeSpan.MaxValue, retry));
    }

    [Fact]
    public void Every_retry_number_matches_the_formula_exactly()
    {
        var min = TimeSpan.FromTicks(3);
        var max = TimeSpan.MaxValue;
        for (var n = 0; n < 70; n++)
        {
            var exact = min.Ticks * System.Numerics.BigInteger.Pow(2, n);
            var expected = exact > max.Ticks ? max : TimeSpan.FromTicks((long)exact);
            Assert.Equal(expected, ExponentialBackoff.CappedDelay(min, max, n));
        }
    }

    [Fact]
    public void A_zero_minimum_never_waits()
    {
        Assert.Equal(TimeSpan.Zero, ExponentialBackoff.CappedDelay(TimeSpan.Zero, Max, 30));
    }

    [Fact]
    public void A_negative_retry_number_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ExponentialBackoff.CappedDelay(Min, Max, -1));

        Assert.Equal("retry", error.ParamName);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 20)]
    [InlineData(0.999, 39.96)]
    public void Full_jitter_is_uniform_between_zero_and_the_delay(double sample, double expectedMs)
    {
        var backoff = Create(BackoffJitter.Full);

        Assert.Equal(expectedMs, backoff.GetDelay(2, TimeSpan.Zero, sample).TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData(0.0, 20)]
    [InlineData(0.5, 30)]
    [InlineData(0.999, 39.98)]
    public void Equal_jitter_never_waits_less_than_half_the_delay(double sample, double expectedMs)
    {
        var backoff = Create(BackoffJitter.Equal);

        Assert.Equal(expectedMs, backoff.GetDelay(2, TimeSpan.Zero, sample).TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData(0, 0.0, 0, 10)]
    [InlineData(0, 0.5, 0, 20)]
    [InlineData(3, 0.5, 100, 155)]
    [InlineData(3, 0.0, 100, 10)]
    public void Decorrelated_jitter_draws_between_min_and_three_times_the_previous_delay(int retry, double sample, double previousMs, double expectedMs)
    {
        var backoff = Create(BackoffJitter.Decorrelated);

        Assert.Equal(expectedMs, backoff.GetDelay(retry, TimeSpan.FromMilliseconds(previousMs), sample).TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData(BackoffJitter.Full)]
    [InlineData(BackoffJitter.Equal)]
    [InlineData(BackoffJitter.Decorrelated)]
    [InlineData(BackoffJitter.None)]
    public void No_jittered_delay_exceeds_the_maximum(BackoffJitter jitter)
    {
        var backoff = Create(jitter);
        var random = new Random(7);
        var previous = TimeSpan.Zero;
        for (var retry = 0; retry < 10_000; retry++)
        {
            var delay = backoff.GetDelay(retry % 80, previous, random.NextDouble());
            Assert.InRange(delay, TimeSpan.Zero, Max);
            previous = delay;
        }
    }

    [Fact]
    public void Decorrelated_jitter_is_capped_at_the_maximum()
    {
        Assert.Equal(Max, Create(BackoffJitter.Decorrelated).GetDelay(60, Max, 0.999_999));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_random_sample_outside_zero_to_one_is_rejected(double sample)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Create(BackoffJitter.Full).GetDelay(0, TimeSpan.Zero, sample));

        Assert.Equal("randomSample", error.ParamName);
    }

    [Fact]
    public void Invalid_options_name_the_option_and_its_value()
    {
        AssertInvalid(new ExponentialBackoffOptions { MinDelay = TimeSpan.FromMilliseconds(-1) }, "MinDelay");
        AssertInvalid(new ExponentialBackoffOptions { MinDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) }, "MaxDelay");
        AssertInvalid(new ExponentialBackoffOptions { MaxRetries = -1 }, "MaxRetries");
        AssertInvalid(new ExponentialBackoffOptions { Jitter = (BackoffJitter)42 }, "Jitter");
    }

    private static void AssertInvalid(ExponentialBackoffOptions options, string option)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialBackoff(options));
        Assert.Equal(option, error.ParamName);
        Assert.NotNull(error.ActualValue);
        Assert.Contains(error.ActualValue!.ToString()!, error.Message);
    }

    private static ExponentialBackoff Create(BackoffJitter jitter)
        => new(new ExponentialBackoffOptions { MinDelay = Min, MaxDelay = Max, Jitter = jitter });
}
