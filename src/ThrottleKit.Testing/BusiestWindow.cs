using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ThrottleKit.Testing;

/// <summary>The window of a given length that held the most of something, and where it started.</summary>
/// <param name="Count">What the window held (attempts, or permits).</param>
/// <param name="Start">When the window started, on the emulator's clock.</param>
/// <param name="Length">The window's length.</param>
public readonly record struct BusiestWindow(long Count, TimeSpan Start, TimeSpan Length)
{
    /// <summary>Finds the busiest window of <paramref name="length"/> among <paramref name="events"/>.</summary>
    /// <param name="events">Each event's time and weight, in any order.</param>
    /// <param name="length">The window length.</param>
    /// <returns>The busiest window; an empty one at zero when there are no events.</returns>
    public static BusiestWindow Find(IEnumerable<(TimeSpan At, long Weight)> events, TimeSpan length)
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
