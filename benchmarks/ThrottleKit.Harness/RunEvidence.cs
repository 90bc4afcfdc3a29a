using System;
using System.Globalization;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>
/// What a run measured about time itself, so its bounds come from the time it really took: the steady interval on the
/// emulator's clock, the worst scheduling lag seen in any process of the run, the busiest second as the emulator stamped it,
/// and the emulator's own summary.
/// </summary>
/// <param name="SteadyFrom">Start of the interval goodput is counted over (emulator clock): every sender running, the initial burst spent.</param>
/// <param name="SteadyTo">Its end: the first sender to stop.</param>
/// <param name="SchedulingLag">The largest scheduling lag measured in any process of the run.</param>
/// <param name="ExcessLag">How long the run's processes ran later than half the limiter's jitter allowance (<see cref="RealClock.StallThreshold"/>), summed over them all.</param>
/// <param name="BusiestSecond">The 1 s window in which the most attempts arrived, after the warm-up.</param>
/// <param name="Emulator">The emulator's summary (<see cref="SesEmulator.Describe"/>).</param>
public sealed record RunEvidence(TimeSpan SteadyFrom, TimeSpan SteadyTo, TimeSpan SchedulingLag, TimeSpan ExcessLag, BusiestWindow BusiestSecond, string Emulator)
{
    /// <summary>Gets the steady interval's length.</summary>
    public TimeSpan Steady => SteadyTo - SteadyFrom;

    /// <summary>Gets the late-timestamp allowance L for this run's window bounds (<see cref="RealClock.LateTimestampAllowance"/>).</summary>
    public TimeSpan Allowance => RealClock.LateTimestampAllowance(SchedulingLag);

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"steady {SteadyFrom.TotalSeconds:0.000}–{SteadyTo.TotalSeconds:0.000} s, busiest second {BusiestSecond}, scheduling lag {SchedulingLag.TotalMilliseconds:0.0} ms (L = {Allowance.TotalMilliseconds:0} ms), {ExcessLag.TotalMilliseconds:0} ms late past half the jitter allowance in all. {Emulator}");
}
