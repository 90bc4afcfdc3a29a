using System;
using ThrottleKit;

namespace ThrottleKit.Tests.Adaptive;

public class QuotaTrackerTests
{
    private const long TicksPerSecond = 1000;
    private const double Margin = 0.02;
    private const double Factor = 0.5;
    private readonly QuotaTracker _tracker = new(TicksPerSecond, now: 0);
    private long _now;

    [Fact]
    public void Between_two_throttles_the_service_accepted_its_quota_and_the_rate_settles_just_under_it()
    {
        Accept(perSecond: 60, seconds: 1);
        Throttle(current: 70);   // the first: nothing known before it

        Accept(perSecond: 50, seconds: 2);   // cruising, then a probe above the quota
        var decision = Throttle(current: 58);

        Assert.Equal(ThrottleReading.SinceLastDecrease, decision.Reading);
        Assert.Equal(50, _tracker.Estimate, 9);
        Assert.Equal(50 * (1 - Margin), decision.Rate, 9);
        Assert.Equal(50, decision.Peak, 9);
    }

    [Fact]
    public void Readings_that_agree_are_pooled_and_one_that_does_not_starts_the_estimate_afresh()
    {
        Accept(perSecond: 60, seconds: 1);
        Throttle(current: 70);
        Accept(perSecond: 48, seconds: 1);
        Throttle(current: 55);
        Accept(perSecond: 52, seconds: 3);
        Throttle(current: 60);

        Assert.Equal(((48 * 1) + (52 * 3)) / 4.0, _tracker.Estimate, 9);

        Accept(perSecond: 20, seconds: 0.5);   // the quota fell to 20/s: 20/s while still throttling
        var decision = Throttle(current: 50, continuesEpisode: true);

        Assert.Equal(20, _tracker.Estimate, 9);
        Assert.Equal(25, decision.Rate, 9);   // one reading never more than halves the rate
    }

    [Fact]
    public void A_last_second_swollen_by_a_burst_the_service_had_saved_is_cut_by_the_factor_not_trusted()
    {
        Accept(perSecond: 20, seconds: 1);
        Throttle(current: 25);
        Accept(perSecond: 20, seconds: 2);   // quota 20/s ...
        Accept(perSecond: 160, seconds: 1);  // ... raised to 80/s with a burst of 80: the client's rate overshoots to 240/s

        var decision = Throttle(current: 240);

        Assert.Equal(ThrottleReading.LastSecond, decision.Reading);
        Assert.InRange(decision.Rate, 79, 81);   // half of the 160/s that went through; more than the 66.7/s since the last decrease
        Assert.InRange(decision.Peak, 158, 162);
    }

    [Fact]
    public void The_first_throttle_at_a_rate_the_service_had_been_taking_cuts_by_the_factor()
    {
        Accept(perSecond: 100, seconds: 1);

        var decision = Throttle(current: 100);

        Assert.Equal(ThrottleReading.NothingMeasured, decision.Reading);
        Assert.Equal(50, decision.Rate, 9);
        Assert.Equal(0, _tracker.Estimate);
    }

    [Fact]
    public void Throttled_at_the_rate_just_set_although_the_service_took_all_of_it_means_the_quota_fell()
    {
        Accept(perSecond: 60, seconds: 1);
        Throttle(current: 70);
        Accept(perSecond: 50, seconds: 2);
        var settled = Throttle(current: 58).Rate;   // 49/s

        Accept(perSecond: settled, seconds: 1);   // everything sent went through, and then a throttle
        var decision = Throttle(current: settled, continuesEpisode: true);

        Assert.Equal(ThrottleReading.NothingMeasured, decision.Reading);
        Assert.Equal(settled * Factor, decision.Rate, 9);
    }

    private ThrottleDecision Throttle(double current, bool continuesEpisode = false)
        => _tracker.OnThrottled(_now, current, continuesEpisode, Margin, Factor);

    private void Accept(double perSecond, double seconds)
    {
        var count = (int)Math.Round(perSecond * seconds);
        var end = _now + (long)(seconds * TicksPerSecond);
        var start = _now;
        for (var i = 1; i <= count; i++)
        {
            _tracker.OnAccepted(start + ((end - start) * i / count), 1);
        }

        _now = end;
    }
}
