using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace ThrottleKit.Tests.Hardening;

/// <summary>
/// Every public entry point that takes a number, fed doubles from the whole range — NaN, infinities, zeros, denormals such
/// as 1e-320, the extremes, random bit patterns and random magnitudes — on virtual time. Each value is either refused, by an
/// exception that names the setting and the value, or the limit holds: what a limiter grants over a stretch of time never
/// exceeds <c>burst + rate · time</c>.
/// </summary>
public class EdgeInputPropertyTests
{
    private const int Burst = 3;

    public static IEnumerable<double> Doubles()
    {
        double[] edges =
        [
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, 1e-320, 1e-310,
            2.2250738585072014E-308, 1e-300, 1e-12, 1e-7, 9.99999e-7, 1e-6, 1.0000001e-6, 0.5, 1, 14, 1e6, 1e9, 1.0000001e9, 1e12, 1e300,
            double.MaxValue, double.MinValue, -1e-320, -1, -1e9,
        ];
        var random = new Random(20261130);
        var bits = new byte[8];
        var patterns = Enumerable.Range(0, 150).Select(_ =>
        {
            random.NextBytes(bits);
            return BitConverter.ToDouble(bits, 0);
        });
        var magnitudes = Enumerable.Range(0, 150).Select(_ => Math.Pow(10, (random.NextDouble() * 30) - 15) * (random.Next(8) == 0 ? -1 : 1));
        return edges.Concat(patterns).Concat(magnitudes);
    }

    [Fact]
    public void A_limiter_built_with_any_rate_refuses_it_or_limits()
    {
        foreach (var rate in Doubles())
        {
            var time = new FakeTimeProvider();
            GcraRateLimiter limiter;
            try
            {
                limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = Burst }, time);
            }
            catch (ArgumentException refused)
            {
                AssertNames(refused, "PermitsPerSecond", rate);
                continue;
            }

            AssertLimitHolds(limiter, time, rate);
        }
    }

    [Fact]
    public void A_running_limiter_given_any_rate_refuses_it_and_keeps_its_own_or_limits_at_the_new_one()
    {
        foreach (var rate in Doubles())
        {
            var time = new FakeTimeProvider();
            var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = Burst }, time);
            var adaptive = new AdaptiveRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = Burst }, new AdaptiveRateOptions(), time);
            foreach (var (name, set, limited) in new (string, Action<double>, RateLimiter)[]
            {
                ("GcraRateLimiter.SetRate", limiter.SetRate, limiter),
                ("AdaptiveRateLimiter.SetRate", adaptive.SetRate, adaptive),
                ("AdaptiveRateLimiter.SetMaxRate", adaptive.SetMaxRate, adaptive),
            })
            {
                var before = ((IAdjustableRateLimiter)limited).PermitsPerSecond;
                try
                {
                    set(rate);
                }
                catch (ArgumentException refused)
                {
                    AssertNames(refused, "permitsPerSecond", rate);
                    Assert.Equal(before, ((IAdjustableRateLimiter)limited).PermitsPerSecond);
                    continue;
                }

                AssertLimitHolds(limited, time, ((IAdjustableRateLimiter)limited).PermitsPerSecond, name);
                Assert.InRange(((IAdjustableRateLimiter)limited).PermitsPerSecond, 1e-6, 1e9);
            }
        }
    }

    [Fact]
    public void Adaptive_settings_of_any_value_are_refused_by_name_or_the_limiter_stays_within_its_ceiling()
    {
        var settings = new (string Name, Action<AdaptiveRateOptions, double> Set)[]
        {
            (nameof(AdaptiveRateOptions.MinPermitsPerSecond), (o, v) => o.MinPermitsPerSecond = v),
            (nameof(AdaptiveRateOptions.MaxPermitsPerSecond), (o, v) => o.MaxPermitsPerSecond = v),
            (nameof(AdaptiveRateOptions.DecreaseFactor), (o, v) => o.DecreaseFactor = v),
            (nameof(AdaptiveRateOptions.Margin), (o, v) => o.Margin = v),
            (nameof(AdaptiveRateOptions.Growth), (o, v) => o.Growth = v),
            (nameof(AdaptiveRateOptions.CongestionWindow), (o, v) => o.CongestionWindow = Seconds(v)),
            (nameof(AdaptiveRateOptions.HoldTime), (o, v) => o.HoldTime = Seconds(v)),
        };
        foreach (var value in Doubles())
        {
            foreach (var (name, set) in settings)
            {
                var time = new FakeTimeProvider();
                var options = new AdaptiveRateOptions();
                set(options, value);
                AdaptiveRateLimiter limiter;
                try
                {
                    limiter = new AdaptiveRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = Burst }, options, time);
                }
                catch (ArgumentException refused)
                {
                    AssertNames(refused, name, null);
                    continue;
                }

                AssertLimitHolds(limiter, time, Math.Max(limiter.PermitsPerSecond, 10), $"{name} = {value}");
            }
        }
    }

    [Fact]
    public void Backoff_delays_of_any_length_are_refused_by_name_or_every_delay_lies_within_them_and_a_day()
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10 }, new FakeTimeProvider());
        foreach (var value in Doubles())
        {
            foreach (var (name, backoff) in new (string, ExponentialBackoffOptions)[]
            {
                (nameof(ExponentialBackoffOptions.MinDelay), new() { MinDelay = Seconds(value), MaxDelay = TimeSpan.FromDays(1) }),
                (nameof(ExponentialBackoffOptions.MaxDelay), new() { MinDelay = TimeSpan.Zero, MaxDelay = Seconds(value) }),
            })
            {
                ThrottledExecutor executor;
                try
                {
                    executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = backoff, Classifier = ThrottlingClassifier.None });
                }
                catch (ArgumentOutOfRangeException refused)
                {
                    AssertNames(refused, name, null);
                    continue;
                }

                for (var retry = 0; retry <= 100; retry += 7)
                {
                    Assert.InRange(executor.NextBackoffDelay(retry, TimeSpan.Zero), backoff.MinDelay, backoff.MaxDelay);
                }

                Assert.InRange(backoff.MaxDelay, TimeSpan.Zero, TimeSpan.FromDays(1));
            }
        }
    }

    [Fact]
    public async Task A_call_of_any_cost_is_refused_by_name_or_takes_exactly_its_permits()
    {
        int[] costs = [int.MinValue, -1, 0, 1, Burst, Burst + 1, 1_000, int.MaxValue, .. Enumerable.Range(0, 50).Select(i => new Random(i).Next(int.MinValue, int.MaxValue))];
        foreach (var cost in costs)
        {
            var time = new FakeTimeProvider();
            var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1, Burst = Burst }, time);
            var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = ThrottlingClassifier.None }, time);
            var ran = false;
            try
            {
                await executor.ExecuteAsync(_ => Task.FromResult(ran = true), cost);
            }
            catch (ArgumentOutOfRangeException refused)
            {
                Assert.False(ran);
                Assert.Contains(cost.ToString(CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
                Assert.Equal(Burst, limiter.GetStatistics()!.CurrentAvailablePermits);
                continue;
            }

            Assert.True(ran);
            Assert.InRange(cost, 0, Burst);
            Assert.Equal(Burst - cost, limiter.GetStatistics()!.CurrentAvailablePermits);
        }
    }

    [Fact]
    public void An_account_quota_of_any_rate_is_refused_by_name_or_is_a_rate_a_limiter_takes()
    {
        foreach (var rate in Doubles())
        {
            try
            {
                _ = new AccountQuota(rate);
            }
            catch (ArgumentException refused)
            {
                AssertNames(refused, "maxPermitsPerSecond", rate);
                continue;
            }

            Assert.InRange(rate, 1e-6, 1e9);
        }
    }

    /// <summary>A number of seconds as a <see cref="TimeSpan"/>, the extremes where it has none (NaN as zero ticks' neighbour, -1 tick).</summary>
    private static TimeSpan Seconds(double seconds)
    {
        var ticks = seconds * TimeSpan.TicksPerSecond;
        return double.IsNaN(ticks) ? TimeSpan.FromTicks(-1)
            : ticks >= long.MaxValue ? TimeSpan.MaxValue
            : ticks <= long.MinValue ? TimeSpan.MinValue
            : TimeSpan.FromTicks((long)ticks);
    }

    private static void AssertNames(Exception refused, string setting, double? value)
    {
        Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
        if (value is { } number)
        {
            Assert.Contains(number.ToString("R", CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Takes every permit the limiter grants, one at a time, over twenty steps of virtual time each worth about a burst, and
    /// holds the total to <c>burst + rate · elapsed</c> (plus one for the rounding of the last step). A limiter that stopped
    /// limiting would grant far more: each step offers it twice its bound.
    /// </summary>
    private static void AssertLimitHolds(RateLimiter limiter, FakeTimeProvider time, double rate, string? what = null)
    {
        var step = TimeSpan.FromTicks((long)Math.Clamp(Math.Ceiling(Burst / rate * TimeSpan.TicksPerSecond), 1, TimeSpan.TicksPerDay * 30));
        var perStep = (long)Math.Min(1e6, (2 * (Burst + (rate * step.TotalSeconds))) + 10);
        long granted = 0;
        const int Steps = 20;
        for (var i = 0; i < Steps; i++)
        {
            for (var k = 0; k < perStep && limiter.AttemptAcquire(1).IsAcquired; k++)
            {
                granted++;
            }

            if (i < Steps - 1)
            {
                time.Advance(step);
            }
        }

        var bound = Burst + (rate * step.TotalSeconds * (Steps - 1)) + 1;
        Assert.True(granted <= bound, $"{what ?? "rate"} {rate:R}: {granted} permits granted over {Steps - 1} steps of {step}, bound {bound:0.##}.");
    }
}
