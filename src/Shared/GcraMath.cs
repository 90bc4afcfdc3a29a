using System;
using ThrottleKit.Internal;

namespace ThrottleKit.Internal;

/// <summary>
/// The arithmetic of the bucket, kept apart from its state so it can be tested on its own.
/// </summary>
/// <remarks>
/// The bucket is held as a "theoretical arrival time" (GCRA): the time, in timestamp ticks since the limiter was built,
/// at which the bucket is full again. A permit costs <c>interval = ticksPerSecond / rate</c> ticks of it, and the
/// bucket holds <c>burst · interval</c> ticks, so a request fits when the arrival time runs ahead of now by no more than
/// the room its permits leave. Ticks are kept as doubles so fractional rates accrue without rounding.
/// </remarks>
internal static class GcraMath
{
    /// <summary>Timers are re-armed at least this often, well inside every platform's timer range; a longer wait just re-arms.</summary>
    public static readonly TimeSpan MaxTimerDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// Refuses a request no bucket of this shape should take: more permits than the burst unless borrowing is on, and with
    /// borrowing more than a day of debt — past that a request no longer waits for a rate but for an outage of its own making.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The request is refused; the message says why and what would allow it.</exception>
    public static void CheckCost(int permitCount, int burst, double permitsPerSecond, bool allowBorrowing)
    {
        if (permitCount <= burst)
        {
            return;
        }

        if (!allowBorrowing)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"{permitCount} permits are more than the burst of {burst}; set {nameof(GcraRateLimiterOptions.AllowBorrowing)} to let a request borrow from the time ahead.");
        }

        var mostPermits = burst + (permitsPerSecond * Limits.MaxDelay.TotalSeconds);
        if (permitCount > mostPermits)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"{permitCount} permits would leave more than a day of debt at {permitsPerSecond} permits per second (at most {Math.Floor(mostPermits)}).");
        }
    }

    /// <summary>Timestamp ticks one permit is worth at <paramref name="permitsPerSecond"/>.</summary>
    public static double IntervalTicks(double permitsPerSecond, long ticksPerSecond) => ticksPerSecond / permitsPerSecond;

    /// <summary>
    /// How far the arrival time may run ahead of now for a request of <paramref name="cost"/> to be granted: the room left
    /// in the bucket once the request's permits and the jitter allowance are set aside. A cost above the burst needs a full
    /// bucket (it borrows the rest); a zero cost needs one permit's room and takes nothing. Negative when the allowance is
    /// more than the room: the bucket must then have been full for that long.
    /// </summary>
    public static double SlackTicks(int cost, int burst, double intervalTicks, double allowanceTicks)
    {
        var required = cost == 0 ? 1 : Math.Min(cost, burst);
        return ((double)(burst - required) * intervalTicks) - allowanceTicks;
    }

    /// <summary>
    /// Whole permits a request could take now, with the arrival time <paramref name="debtTicks"/> ahead of now; negative
    /// while a borrowing request is paid back.
    /// </summary>
    public static long AvailablePermits(double debtTicks, int burst, double intervalTicks, double allowanceTicks)
    {
        // The epsilon absorbs the last bit of floating-point error in debt / interval, so 50 permits of debt reads as 50, not 50.000000001.
        var permits = (long)Math.Floor(burst - ((Math.Max(0, debtTicks) + allowanceTicks) / intervalTicks) + 1e-9);

        // Only a borrower's debt takes the count below zero; the allowance held in hand does not.
        return permits < 0 && debtTicks <= burst * intervalTicks ? 0 : permits;
    }

    /// <summary>A timer delay for <paramref name="ticks"/>, rounded up to whole milliseconds (timers' resolution), between 1 ms and <see cref="MaxTimerDelay"/>.</summary>
    public static TimeSpan TimerDelay(double ticks, long ticksPerSecond)
    {
        var milliseconds = Math.Ceiling(ticks * 1000.0 / ticksPerSecond);
        return TimeSpan.FromMilliseconds(Math.Min(Math.Max(1, milliseconds), MaxTimerDelay.TotalMilliseconds));
    }

    /// <summary>A <see cref="TimeSpan"/> for <paramref name="ticks"/> of a clock with <paramref name="ticksPerSecond"/>, rounded up.</summary>
    public static TimeSpan ToTimeSpan(double ticks, long ticksPerSecond)
    {
        if (!(ticks > 0))
        {
            return TimeSpan.Zero;
        }

        var timeSpanTicks = Math.Ceiling(ticks * TimeSpan.TicksPerSecond / ticksPerSecond);
        return timeSpanTicks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)timeSpanTicks);
    }
}
