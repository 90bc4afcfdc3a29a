using ThrottleKit.Adaptive;

namespace ThrottleKit.Tests.Adaptive;

public class CubicRecoveryTests
{
    [Fact]
    public void Overloaded_the_rate_drops_to_just_under_what_the_service_accepted()
    {
        var (rate, peak) = CubicRecovery.AfterThrottle(current: 80, accepted: 50, margin: 0.02, decreaseFactor: 0.8, min: 0.1, max: 1000);

        Assert.Equal(50 * 0.98, rate, 9);
        Assert.Equal(50, peak);
    }

    [Fact]
    public void When_the_accepted_rate_says_nothing_new_the_rate_drops_by_the_factor_and_the_curve_starts_flat_there()
    {
        var (rate, peak) = CubicRecovery.AfterThrottle(current: 40, accepted: 45, margin: 0.02, decreaseFactor: 0.8, min: 0.1, max: 1000);

        // Not aimed back at 40: that rate was just throttled.
        Assert.Equal(32, rate, 9);
        Assert.Equal(32, peak, 9);
    }

    [Fact]
    public void One_throttle_never_more_than_halves_the_rate_nor_leaves_the_bounds()
    {
        Assert.Equal(50, CubicRecovery.AfterThrottle(100, accepted: 3, 0.02, 0.8, 0.1, 1000).Rate);
        Assert.Equal(60, CubicRecovery.AfterThrottle(100, accepted: 3, 0.02, 0.8, 60, 1000).Rate);
        Assert.Equal(10, CubicRecovery.AfterThrottle(100, accepted: 30, 0.02, 0.8, 0.1, 10).Rate);
    }

    [Fact]
    public void The_growth_curve_starts_at_the_decreased_rate_passes_the_peak_at_K_and_then_speeds_up()
    {
        const double Peak = 50;
        const double Start = 49;
        const double Growth = 0.1;
        var k = CubicRecovery.TimeToPeak(Peak, Start, Growth);

        Assert.Equal(Start, CubicRecovery.RateAt(0, Peak, k, Growth, 0.1, 1000), 9);
        Assert.Equal(Peak, CubicRecovery.RateAt(k, Peak, k, Growth, 0.1, 1000), 9);
        var early = CubicRecovery.RateAt(k + 1, Peak, k, Growth, 0.1, 1000) - Peak;
        var late = CubicRecovery.RateAt(k + 3, Peak, k, Growth, 0.1, 1000) - CubicRecovery.RateAt(k + 2, Peak, k, Growth, 0.1, 1000);
        Assert.True(late > 5 * early, "Far from the peak the rate should grow much faster than near it.");
        Assert.Equal(1000, CubicRecovery.RateAt(k + 100, Peak, k, Growth, 0.1, 1000));
    }

    [Fact]
    public void A_quota_four_times_higher_is_reached_within_five_seconds()
    {
        var k = CubicRecovery.TimeToPeak(20, 20 * 0.98, 0.1);

        Assert.True(CubicRecovery.RateAt(5, 20, k, 0.1, 0.1, 1000) >= 80 * 0.95);
    }
}
