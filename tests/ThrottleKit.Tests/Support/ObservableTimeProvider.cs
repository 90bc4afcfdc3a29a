using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace ThrottleKit.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports timers: how many exist, and a signal each time one is created,
/// so a test can advance the clock only once the code under test is really waiting on it.
/// </summary>
internal sealed class ObservableTimeProvider : TimeProvider, IDisposable
{
    private readonly SemaphoreSlim _timerCreated = new(0);
    private int _created;
    private int _live;

    public FakeTimeProvider Fake { get; } = new();

    public void Dispose() => _timerCreated.Dispose();

    public int TimersCreated => Volatile.Read(ref _created);

    public int LiveTimers => Volatile.Read(ref _live);

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public void Advance(TimeSpan delta) => Fake.Advance(delta);

    public async Task WaitForTimerAsync()
    {
        if (!await _timerCreated.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("The code under test never started waiting on a timer.");
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _created);
        Interlocked.Increment(ref _live);
        var timer = new CountedTimer(this, Fake.CreateTimer(callback, state, dueTime, period));
        _timerCreated.Release();
        return timer;
    }

    private sealed class CountedTimer(ObservableTimeProvider owner, ITimer inner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._live);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
