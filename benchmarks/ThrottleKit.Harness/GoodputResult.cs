using System;
using System.Collections.Generic;

namespace ThrottleKit.Harness;

/// <summary>One strategy's row.</summary>
/// <param name="Strategy">The strategy's name.</param>
/// <param name="Goodput">Accepted calls per second after the first second (the initial burst), divided by the quota.</param>
/// <param name="ThrottledPercent">Throttled attempts as a percentage of all HTTP attempts.</param>
/// <param name="Calls">Calls made by the senders.</param>
/// <param name="FailedCalls">Calls that ended in an exception.</param>
/// <param name="UnfinishedCalls">Calls still waiting or retrying when the run was cut off, a grace period after its end.</param>
/// <param name="Attempts">HTTP attempts the service saw.</param>
/// <param name="P50">Median latency of the calls that finished, retries and waits included.</param>
/// <param name="P99">99th percentile call latency.</param>
/// <param name="PerSecond">Accepted and throttled attempts in each second of the run.</param>
/// <param name="RateSamples">The strategy's own rate limit, sampled every 100 ms (empty when it has none).</param>
/// <param name="ConvergenceSeconds">For each quota change: seconds until the accepted rate was within 5% of the new quota; null if never.</param>
/// <param name="Evidence">The run's measured interval, lag and busiest second.</param>
public sealed record GoodputResult(
    string Strategy,
    double Goodput,
    double ThrottledPercent,
    int Calls,
    int FailedCalls,
    int UnfinishedCalls,
    int Attempts,
    TimeSpan P50,
    TimeSpan P99,
    IReadOnlyList<SecondCounts> PerSecond,
    IReadOnlyList<RateSample> RateSamples,
    IReadOnlyList<double?> ConvergenceSeconds,
    RunEvidence Evidence)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Strategy}: goodput {Goodput:0.000} Q, {ThrottledPercent:0.00}% throttled, {FailedCalls} failed and {UnfinishedCalls} unfinished of {Calls} calls, {Attempts} attempts; {Evidence}");
}

/// <summary>The client-side rate at a moment of the run.</summary>
/// <param name="Seconds">Seconds since the senders started.</param>
/// <param name="PermitsPerSecond">The rate in force.</param>
public readonly record struct RateSample(double Seconds, double PermitsPerSecond);

/// <summary>What the service did in one second of a run.</summary>
/// <param name="Second">Seconds since the senders started.</param>
/// <param name="Accepted">Attempts accepted.</param>
/// <param name="Throttled">Attempts throttled.</param>
public readonly record struct SecondCounts(int Second, int Accepted, int Throttled);
