using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>A <see cref="GcraRateLimiter"/>'s rate-dependent values, swapped as one so that a reader never mixes two rates.</summary>
internal sealed class GcraSchedule
{
    public GcraSchedule(double permitsPerSecond, int burst, TimeSpan jitterAllowance, long ticksPerSecond)
    {
        PermitsPerSecond = permitsPerSecond;
        Burst = burst;
        JitterAllowance = jitterAllowance;
        AllowanceTicks = jitterAllowance.TotalSeconds * ticksPerSecond;
        IntervalTicks = GcraMath.IntervalTicks(permitsPerSecond, ticksPerSecond);
        SlackTicksForOne = SlackTicks(1);
    }

    public TimeSpan JitterAllowance { get; }

    public double AllowanceTicks { get; }

    public double PermitsPerSecond { get; }

    public int Burst { get; }

    public double IntervalTicks { get; }

    public double SlackTicksForOne { get; }

    public double SlackTicks(int cost) => GcraMath.SlackTicks(cost, Burst, IntervalTicks, AllowanceTicks);
}
