using System;

namespace ThrottleKit.Testing;

/// <summary>
/// The physical bounds a test on the real clock can assert, each computed from what the test measured — the time it really
/// took, the scheduling lag of its processes — never from nominal time alone, so that it holds on a busy machine too.
/// </summary>
internal static class RealClock
{
    /// <summary>The trait every real-clock test carries: <c>dotnet test --filter Category=RealClock</c> runs them alone.</summary>
    public const string Category = "RealClock";

    /// <summary>Loopback transfer, parsing and signing between a permit and the service's timestamp, when nothing is late.</summary>
    public static readonly TimeSpan BaseLatency = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How far apart two requests' timestamps at the service may be pulled together by lateness: the sender may run late
    /// after its permit and the service late before it stamps, each by up to the scheduling lag measured over the run.
    /// </summary>
    /// <param name="measuredLag">The largest scheduling lag measured (<see cref="SchedulingLagProbe.MaxLag"/>).</param>
    /// <returns>The allowance L in <c>burst + rate · (window + L)</c>.</returns>
    public static TimeSpan LateTimestampAllowance(TimeSpan measuredLag) => measuredLag + measuredLag + BaseLatency;

    /// <summary>The most a limiter of <paramref name="rate"/> and <paramref name="burst"/> can put in a window as the service stamps it.</summary>
    /// <param name="burst">The limiter's burst.</param>
    /// <param name="rate">The limiter's rate, per second.</param>
    /// <param name="window">The window length.</param>
    /// <param name="allowance">The late-timestamp allowance (<see cref="LateTimestampAllowance"/>).</param>
    /// <returns><c>burst + rate · (window + allowance)</c>, plus one for a window that closes on a timestamp.</returns>
    public static double WindowBound(double burst, double rate, TimeSpan window, TimeSpan allowance)
        => burst + (rate * (window + allowance).TotalSeconds) + 1;

    /// <summary>The most goodput (accepted per second over a nominal interval, as a fraction of the rate) that physics allows.</summary>
    /// <param name="burst">The service's burst.</param>
    /// <param name="rate">The service's rate.</param>
    /// <param name="measured">How long the counted interval really lasted.</param>
    /// <param name="nominal">The interval the goodput is divided by.</param>
    /// <returns><c>(burst + rate · measured) / (rate · nominal)</c>.</returns>
    public static double GoodputCeiling(double burst, double rate, TimeSpan measured, TimeSpan nominal)
        => (burst + (rate * measured.TotalSeconds)) / (rate * nominal.TotalSeconds);

    /// <summary>
    /// The least goodput a limiter set to the quota keeps over an interval on a machine that stalled its senders: what a
    /// user would notice (<paramref name="floor"/>), less what the stalls moved out of the interval. A sender stalled past
    /// its jitter allowance owes the permits it would have spent and spends them as soon as it runs again, which may be
    /// after the interval closes; at most <c>rate · E</c> calls move out that way.
    /// </summary>
    /// <param name="floor">The goodput an unloaded run keeps, as a fraction of the rate.</param>
    /// <param name="excessLag">The run's total lateness beyond <see cref="StallThreshold"/> (<see cref="SchedulingLagProbe.ExcessLag"/>), summed over its processes.</param>
    /// <param name="measured">How long the counted interval really lasted.</param>
    /// <returns><c>floor − E / T</c>.</returns>
    public static double GoodputFloor(double floor, TimeSpan excessLag, TimeSpan measured)
        => floor - (excessLag.TotalSeconds / measured.TotalSeconds);

    /// <summary>
    /// The lateness a limiter's jitter allowance absorbs on each side: a request's sender and the service may both run late,
    /// and the allowance covers the two together, so half of it on each side is what is certain to be absorbed.
    /// </summary>
    /// <param name="jitterAllowance">The limiter's jitter allowance.</param>
    /// <returns>Half of it.</returns>
    public static TimeSpan StallThreshold(TimeSpan jitterAllowance) => jitterAllowance / 2;

    /// <summary>
    /// The most throttled attempts a limiter set exactly to the quota can cause: none, but for what its senders owed while
    /// stalled past the limiter's jitter allowance, which they send at once when they run again.
    /// </summary>
    /// <param name="rate">The limiter's (and the quota's) rate.</param>
    /// <param name="excessLag">The run's total lateness beyond <see cref="StallThreshold"/> (<see cref="SchedulingLagProbe.ExcessLag"/>), summed over its processes.</param>
    /// <returns><c>rate · excess lag</c>, plus two for rounding at the edges.</returns>
    public static double ThrottleBound(double rate, TimeSpan excessLag) => (rate * excessLag.TotalSeconds) + 2;

    /// <summary>The machine's load average (Linux <c>/proc/loadavg</c>), for a failure message.</summary>
    /// <returns>The three load averages and the processor count, or that they could not be read.</returns>
    public static string LoadAverage() => MachineLoad.Describe();
}
