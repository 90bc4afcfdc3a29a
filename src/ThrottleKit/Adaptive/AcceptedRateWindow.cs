using System;

namespace ThrottleKit;

/// <summary>The rate of accepted permits over the last second, in ten 100 ms slots. Not thread-safe: its owner locks.</summary>
internal sealed class AcceptedRateWindow
{
    private const int Slots = 10;
    private readonly long _slotTicks;
    private readonly long _start;
    private readonly long[] _counts = new long[Slots];
    private readonly long[] _slotIndex = new long[Slots];

    public AcceptedRateWindow(long ticksPerSecond, long start)
    {
        _slotTicks = ticksPerSecond / Slots;
        _start = start;
        for (var i = 0; i < Slots; i++)
        {
            _slotIndex[i] = -1;
        }
    }

    public void Add(long now, int permits)
    {
        var index = (now - _start) / _slotTicks;
        var slot = (int)(index % Slots);
        if (_slotIndex[slot] != index)
        {
            _slotIndex[slot] = index;
            _counts[slot] = 0;
        }

        _counts[slot] += permits;
    }

    /// <summary>Accepted permits per second over the last second (or since the start, if that is shorter, but at least one slot).</summary>
    public double PerSecond(long now)
    {
        var index = (now - _start) / _slotTicks;
        var first = Math.Max(0, index - Slots + 1);
        long total = 0;
        for (var i = 0; i < Slots; i++)
        {
            if (_slotIndex[i] >= first && _slotIndex[i] <= index)
            {
                total += _counts[i];
            }
        }

        // Over the slots counted, from the start of the first.
        var since = _start + (first * _slotTicks);
        var seconds = Math.Max(1.0 / Slots, Math.Min(1.0, (now - since) / (double)(_slotTicks * Slots)));
        return total / seconds;
    }
}
