using ThrottleKit;

namespace ThrottleKit.Tests.Adaptive;

public class CubicRecoveryTests
{
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
