using System;

namespace ThrottleKit;

/// <summary>
/// The arithmetic of the adaptive rate, apart from its state. After a throttle the rate drops to just under the rate the
/// service was seen to accept; from there it grows along a cubic curve through the last peak (as TCP CUBIC does): slowly
/// near the peak, where the quota was, then faster, so that a raised quota is found within seconds.
/// </summary>
internal static class CubicRecovery
{
    /// <summary>The time (s) after a decrease at which the growth curve passes back through <paramref name="peak"/>.</summary>
    public static double TimeToPeak(double peak, double start, double growth)
        => peak <= start ? 0 : Math.Pow((peak - start) / (growth * peak), 1.0 / 3);

    /// <summary>The rate <paramref name="seconds"/> after a decrease: <c>peak · (1 + growth · (t − K)³)</c>, within the bounds.</summary>
    public static double RateAt(double seconds, double peak, double timeToPeak, double growth, double min, double max)
    {
        var offset = seconds - timeToPeak;
        return Clamp(peak * (1 + (growth * offset * offset * offset)), min, max);
    }

    private static double Clamp(double value, double min, double max) => Math.Min(Math.Max(value, min), max);
}
