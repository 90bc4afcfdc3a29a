using System;
using System.Globalization;
using System.Threading;
using StackExchange.Redis;
using ThrottleKit.Internal;

namespace ThrottleKit.Redis;

/// <summary>What one process changes for every process that shares the bucket: its rate, its pauses, permits given back.</summary>
public sealed partial class RedisGcraRateLimiter
{
    /// <summary>Stores a new rate in Redis, where every process sharing the bucket takes it up; the debt is carried over in permits.</summary>
    /// <param name="permitsPerSecond">The new rate; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is not positive and finite.</exception>
    public void SetRate(double permitsPerSecond)
    {
        Guard.Rate(permitsPerSecond, nameof(permitsPerSecond));
        ThrowIfDisposed();
        var previous = Interlocked.Exchange(ref _rate, permitsPerSecond);
        _fallback.SetRate(permitsPerSecond);
        if (!_circuit.IsOpen && _redis.Multiplexer is { IsConnected: true } connection)
        {
            var arguments = Arguments("rate", 0, permitsPerSecond, longestWait: -1);
            arguments[1] = previous.ToString("R", CultureInfo.InvariantCulture);

            // Fire and forget: a rate change must not wait on the network; a lost one is corrected by the next.
            _ = RunScriptAsync(connection, arguments, CommandFlags.FireAndForget);
        }
    }

    /// <summary>
    /// Holds back every process that shares the bucket for <paramref name="duration"/> (a service answered "retry after"
    /// for the quota they share): the script moves the bucket's schedule past the pause, so after it permits come at the
    /// rate from an empty bucket, in every process. This process's fallback pauses too, for an outage meanwhile.
    /// </summary>
    /// <param name="duration">How long to hold back, between zero and one hour.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative or longer than an hour.</exception>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public void Pause(TimeSpan duration)
    {
        Guard.Pause(duration);
        ThrowIfDisposed();
        _fallback.Pause(duration);
        if (!_circuit.IsOpen && _redis.Multiplexer is { IsConnected: true } connection)
        {
            var arguments = Arguments("pause", 0, PermitsPerSecond, longestWait: -1);
            arguments[1] = (duration.Ticks / 10.0).ToString("R", CultureInfo.InvariantCulture);

            // Fire and forget, as a rate change: the throttled call must not wait on the network to learn it should wait.
            _ = RunScriptAsync(connection, arguments, CommandFlags.FireAndForget);
        }
    }

    /// <summary>
    /// Gives back to the shared bucket permits it granted that were not used (what a lease left), so the fleet gets them
    /// again. Fire and forget; while Redis cannot be reached nothing is given back.
    /// </summary>
    /// <param name="permitCount">How many; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitCount"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public void Refund(int permitCount)
    {
        Guard.InRange(permitCount, 0, int.MaxValue);
        ThrowIfDisposed();
        if (!_circuit.IsOpen)
        {
            GiveBack(permitCount);
        }
    }
}
