using System;

namespace ThrottleKit.Adaptive;

/// <summary>
/// The arithmetic of the adaptive rate, apart from its state. After a throttle the rate drops to just under the rate the
/// service was seen to accept; from there it grows along a cubic curve through the last peak (as TCP CUBIC does): slowly
/// near the peak, where the quota was, then faster, so that a raised quota is found within seconds.
/// </summary>
internal static class CubicRecovery
{
    /// <summary>The rate to drop to after a throttle, and the peak the growth curve will flatten at.</summary>
    /// <param name="current">The rate in force when the throttle came.</param>
    /// <param name="accepted">The rate the service accepted over the last second; 0 when unknown.</param>
    /// <param name="margin">How far under the accepted rate to settle.</param>
    /// <param name="decreaseFactor">The decrease when the accepted rate says nothing new (it is not below <paramref name="current"/>).</param>
    /// <param name="min">The floor.</param>
    /// <param name="max">The ceiling.</param>
    public static (double Rate, double Peak) AfterThrottle(double current, double accepted, double margin, double decreaseFactor, double min, double max)
    {
        // Overloaded, the service accepts exactly its quota: that measurement is the best estimate there is. When it says
        // nothing (the service was still spending its burst), decrease by the factor, and do not aim the growth straight
        // back at the rate that was just throttled: the curve starts flat at the decreased rate.
        var (rate, peak) = accepted > 0 && accepted < current
            ? (accepted * (1 - margin), accepted)
            : (current * decreaseFactor, current * decreaseFactor);

        // Never more than halve at once: one noisy second must not collapse the rate.
        rate = Clamp(Math.Max(rate, current / 2), min, max);
        return (rate, Clamp(Math.Max(peak, rate), min, max));
    }

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
