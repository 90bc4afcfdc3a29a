using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ThrottleKit.Testing;

/// <summary>The window of a given length that held the most of something, and where it started.</summary>
public sealed class BusiestWindow
{
    private BusiestWindow(long count, TimeSpan start, TimeSpan length)
    {
        Count = count;
        Start = start;
        Length = length;
    }

    /// <summary>Gets what the window held (attempts, or permits).</summary>
    public long Count { get; }

    /// <summary>When the window started, on the emulator's clock.</summary>
    internal TimeSpan Start { get; }

    /// <summary>The window's length.</summary>
    internal TimeSpan Length { get; }

    /// <summary>Finds the busiest window of <paramref name="length"/> among <paramref name="events"/>.</summary>
    /// <param name="events">Each event's time and weight, in any order.</param>
    /// <param name="length">The window length.</param>
    /// <returns>The busiest window; an empty one at zero when there are no events.</returns>
    internal static BusiestWindow Find(IEnumerable<(TimeSpan At, long Weight)> events, TimeSpan length)
    {
        var sorted = events.OrderBy(e => e.At).ToArray();
        var best = new BusiestWindow(0, TimeSpan.Zero, length);
        long sum = 0;
        var start = 0;
        for (var end = 0; end < sorted.Length; end++)
        {
            sum += sorted[end].Weight;
            while (sorted[end].At - sorted[start].At > length)
            {
                sum -= sorted[start].Weight;
                start++;
            }

            if (sum > best.Count)
            {
                best = new BusiestWindow(sum, sorted[start].At, length);
            }
        }

        return best;
    }

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Count} in the {Length.TotalMilliseconds:0} ms from {Start.TotalSeconds:0.000} s");
}
