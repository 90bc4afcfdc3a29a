using System;

namespace ThrottleKit.Adaptive;

/// <summary>The rate of accepted attempts over the last second, in ten 100 ms slots. Not thread-safe: its owner locks.</summary>
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

    public void Add(long now)
    {
        var index = (now - _start) / _slotTicks;
        var slot = (int)(index % Slots);
        if (_slotIndex[slot] != index)
        {
            _slotIndex[slot] = index;
            _counts[slot] = 0;
        }

        _counts[slot]++;
    }

    /// <summary>Accepted attempts per second over the last second (or since the start, if that is shorter, but at least one slot).</summary>
    public double PerSecond(long now)
    {
        var index = (now - _start) / _slotTicks;
        long total = 0;
        for (var i = 0; i < Slots; i++)
        {
            if (_slotIndex[i] > index - Slots && _slotIndex[i] <= index)
            {
                total += _counts[i];
            }
        }

        var seconds = Math.Min(1.0, Math.Max(1.0 / Slots, (now - _start) / (double)(_slotTicks * Slots)));
        return total / seconds;
    }
}
