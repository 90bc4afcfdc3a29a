using System;
using ThrottleKit;
using ThrottleKit.Internal;

namespace ThrottleKit.Tests.RateLimiting;

public class GcraMathTests
{
    private const long TicksPerSecond = 10_000_000;

    [Theory]
    [InlineData(100, 100_000)]
    [InlineData(0.5, 20_000_000)]
    [InlineData(14, 10_000_000 / 14.0)]
    public void A_permit_is_worth_one_interval_of_ticks(double rate, double expectedTicks)
    {
        Assert.Equal(expectedTicks, GcraMath.IntervalTicks(rate, TicksPerSecond));
    }

    [Theory]
    [InlineData(1, 10, 100, 900)]
    [InlineData(10, 10, 100, 0)]
    [InlineData(50, 10, 100, 0)]
    [InlineData(0, 10, 100, 900)]
    [InlineData(4, 10, 100, 600)]
    public void Slack_is_the_room_left_once_the_request_is_set_aside(int cost, int burst, double interval, double expected)
    {
        Assert.Equal(expected, GcraMath.SlackTicks(cost, burst, interval, 0));
    }

    [Theory]
    [InlineData(1, 10, 100, 50, 850)]
    [InlineData(10, 10, 100, 50, -50)]
    [InlineData(1, 1, 100, 30, -30)]
    public void The_jitter_allowance_is_taken_out_of_the_slack(int cost, int burst, double interval, double allowance, double expected)
    {
        Assert.Equal(expected, GcraMath.SlackTicks(cost, burst, interval, allowance));
    }

    [Fact]
    public void The_jitter_allowance_counts_against_available_permits()
    {
        Assert.Equal(9, GcraMath.AvailablePermits(0, 10, 100, 50));
        Assert.Equal(10, GcraMath.AvailablePermits(-500, 10, 100, 0));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10_000, 1)]
    [InlineData(10_001, 2)]
    [InlineData(714_285.7, 72)]
    [InlineData(100_000, 10)]
    [InlineData(0, 1)]
    public void Timer_delays_round_up_to_whole_milliseconds_and_at_least_one(double ticks, double expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), GcraMath.TimerDelay(ticks, TicksPerSecond));
    }

    [Fact]
    public void Timer_delays_are_capped_so_long_waits_re_arm()
    {
        Assert.Equal(GcraMath.MaxTimerDelay, GcraMath.TimerDelay(1e30, TicksPerSecond));
    }

    [Theory]
    [InlineData(-5, 10, 100, 10)]
    [InlineData(0, 10, 100, 10)]
    [InlineData(950, 10, 100, 0)]
    [InlineData(1000, 10, 100, 0)]
    [InlineData(1500, 10, 100, -5)]
    [InlineData(1550, 10, 100, -6)]
    public void Available_permits_count_debt_and_round_down(double debt, int burst, double interval, long expected)
    {
        Assert.Equal(expected, GcraMath.AvailablePermits(debt, burst, interval, 0));
    }

    [Fact]
    public void Available_permits_are_not_thrown_off_by_floating_point_error()
    {
        var interval = GcraMath.IntervalTicks(14, TicksPerSecond);

        Assert.Equal(-36, GcraMath.AvailablePermits(50 * interval, 14, interval, 0));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-3, 0)]
    [InlineData(1, 1)]
    [InlineData(10_000_000, 10_000_000)]
    [InlineData(0.2, 1)]
    public void Durations_round_up_to_whole_timespan_ticks(double ticks, long expected)
    {
        Assert.Equal(TimeSpan.FromTicks(expected), GcraMath.ToTimeSpan(ticks, TicksPerSecond));
    }
}
