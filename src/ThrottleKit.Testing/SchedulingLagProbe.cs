using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Testing;

/// <summary>
/// Measures how late this process runs work it scheduled: every <see cref="Period"/> a timer-driven continuation on the
/// thread pool notes how far past its due time it ran. A request handler, or a client's send after its permit, goes
/// through the same timer and thread-pool path, so on a loaded machine its timestamps are late by about as much. Real-clock
/// tests widen their window bounds by what this measured over the run, instead of by a guess.
/// </summary>
internal sealed class SchedulingLagProbe : IAsyncDisposable
{
    /// <summary>How often the probe wakes.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(5);

    private readonly Func<TimeSpan> _clock;
    private readonly List<(TimeSpan At, TimeSpan Lateness)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private SchedulingLagProbe(Func<TimeSpan> clock)
    {
        _clock = clock;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Starts a probe on <paramref name="clock"/> (for instance an emulator's elapsed time).</summary>
    /// <param name="clock">The clock the samples are timed on.</param>
    /// <returns>The running probe.</returns>
    public static SchedulingLagProbe Start(Func<TimeSpan> clock) => new(clock ?? throw new ArgumentNullException(nameof(clock)));

    /// <summary>Starts a probe on its own clock, from zero.</summary>
    /// <returns>The running probe.</returns>
    public static SchedulingLagProbe Start()
    {
        var clock = Stopwatch.StartNew();
        return new SchedulingLagProbe(() => clock.Elapsed);
    }

    /// <summary>The most a wake-up ran late between <paramref name="from"/> and <paramref name="to"/> on the probe's clock.</summary>
    /// <param name="from">The start of the interval.</param>
    /// <param name="to">Its end; <see cref="TimeSpan.MaxValue"/> for everything since <paramref name="from"/>.</param>
    /// <returns>The largest lateness seen, or zero when there was no sample.</returns>
    public TimeSpan MaxLag(TimeSpan from = default, TimeSpan? to = null)
    {
        var end = to ?? TimeSpan.MaxValue;
        var max = TimeSpan.Zero;
        lock (_samples)
        {
            foreach (var (at, lateness) in _samples)
            {
                // A sample stands for the wait that ended at it, which began one period plus its lateness earlier.
                if (at >= from && at - Period - lateness <= end && lateness > max)
                {
                    max = lateness;
                }
            }
        }

        return max;
    }

    /// <summary>
    /// How long, in all, this process ran later than <paramref name="threshold"/> past due between two moments: the sum of
    /// each wake-up's lateness beyond the threshold. A sender stalled that long sends, when it runs again, what was due
    /// meanwhile at once; a limiter that keeps <paramref name="threshold"/> in hand (its jitter allowance) absorbs the rest.
    /// </summary>
    /// <param name="threshold">Lateness that does not count.</param>
    /// <param name="from">The start of the interval.</param>
    /// <param name="to">Its end; <see cref="TimeSpan.MaxValue"/> for everything since <paramref name="from"/>.</param>
    /// <returns>The total lateness beyond the threshold.</returns>
    public TimeSpan ExcessLag(TimeSpan threshold, TimeSpan from = default, TimeSpan? to = null)
    {
        var end = to ?? TimeSpan.MaxValue;
        var total = TimeSpan.Zero;
        lock (_samples)
        {
            foreach (var (at, lateness) in _samples)
            {
                if (at >= from && at - Period - lateness <= end && lateness > threshold)
                {
                    total += lateness - threshold;
                }
            }
        }

        return total;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var due = _clock() + Period;
            await Task.Delay(Period, _stop.Token).ConfigureAwait(false);
            var now = _clock();
            var lateness = now > due ? now - due : TimeSpan.Zero;
            lock (_samples)
            {
                _samples.Add((now, lateness));
            }
        }
    }
}
