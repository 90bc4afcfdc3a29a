using System.Diagnostics;
using System.Threading;

namespace ThrottleKit.Internal;

/// <summary>
/// Lets one log event through per interval and counts the ones it holds back, so that a storm (a thousand throttles a
/// second) stays a line a second that says how many it stands for.
/// </summary>
internal sealed class LogGate
{
    private static readonly long IntervalTicks = Stopwatch.Frequency;
    private long _next = long.MinValue;
    private int _suppressed;

    /// <summary>Whether to log now; <paramref name="suppressed"/> is how many were held back since the last one let through.</summary>
    public bool TryEnter(out int suppressed)
    {
        var now = Stopwatch.GetTimestamp();
        var next = Interlocked.Read(ref _next);
        if (now >= next && Interlocked.CompareExchange(ref _next, now + IntervalTicks, next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
