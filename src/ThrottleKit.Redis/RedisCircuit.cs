using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ThrottleKit.Redis;

/// <summary>
/// Whether a Redis connection is fit to be asked: closed while it answers within the acquire budget; opened by the first
/// acquire that fails or runs out of budget, after which every limiter on the connection goes straight to its failure policy
/// and a single probe — one at a time, never the callers — checks Redis at once and then every
/// <see cref="RedisRateLimiterOptions.RetryInterval"/> until it answers within the budget, which closes it again. The budget and the probes run on the system clock whatever
/// clock the limiters are given: they bound a wait on the network.
/// </summary>
internal sealed class RedisCircuit : IDisposable
{
    private readonly Func<IConnectionMultiplexer> _connection;
    private readonly TimeSpan _probeInterval;
    private readonly TimeSpan _budget;
    private readonly ILogger _logger;
    private readonly RedisMetrics? _metrics;
    private readonly CancellationTokenSource _disposed = new();
    private int _open;
    private long _openedAt;
    private long _fallbackTicks;
    private long _probesSucceeded;
    private long _probesFailed;
    private long _outages;
    private bool _answered;

    private static readonly TimeSpan ColdStartBudget = TimeSpan.FromSeconds(1);

    public RedisCircuit(Func<IConnectionMultiplexer> connection, RedisRateLimiterOptions options, ILogger? logger, RedisMetrics? metrics)
    {
        _connection = connection;
        _probeInterval = options.RetryInterval;
        _budget = options.AcquireTimeout;
        Policy = options.FailurePolicy;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics;
        metrics?.Track(this);
    }

    public RedisFailurePolicy Policy { get; }

    /// <summary>
    /// Gets the longest a caller waits on Redis for one acquire: <see cref="RedisRateLimiterOptions.AcquireTimeout"/>, or a
    /// second until Redis has answered once on this connection — a process's first round trip pays for connecting, loading
    /// the script and compiling the code that sends it, and is no sign of a hung Redis.
    /// </summary>
    public TimeSpan Budget => Volatile.Read(ref _answered) ? _budget : (_budget > ColdStartBudget ? _budget : ColdStartBudget);

    /// <summary>Gets whether Redis is taken as unreachable: callers follow the failure policy without asking it.</summary>
    public bool IsOpen => Volatile.Read(ref _open) != 0;

    /// <summary>Gets how long the connection's limiters have been on their failure policy in all, the current outage included.</summary>
    public TimeSpan FallbackTime
    {
        get
        {
            var total = Interlocked.Read(ref _fallbackTicks);
            if (IsOpen)
            {
                total += TimeProvider.System.GetElapsedTime(Interlocked.Read(ref _openedAt)).Ticks;
            }

            return TimeSpan.FromTicks(total);
        }
    }

    /// <summary>Gets how many times the circuit has opened.</summary>
    public long Outages => Interlocked.Read(ref _outages);

    /// <summary>Gets how many probes found Redis answering, and how many did not.</summary>
    public (long Succeeded, long Failed) Probes => (Interlocked.Read(ref _probesSucceeded), Interlocked.Read(ref _probesFailed));

    /// <summary>Notes that Redis answered an acquire: from now on the budget is the configured one.</summary>
    public void Answered()
    {
        if (!Volatile.Read(ref _answered))
        {
            Volatile.Write(ref _answered, true);
        }
    }

    /// <summary>Takes Redis as unreachable from now; the first to say so logs it and starts the single probe.</summary>
    public void Trip(string bucket, double fallbackRate, Exception? cause)
    {
        if (_disposed.IsCancellationRequested || Interlocked.CompareExchange(ref _open, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _openedAt, TimeProvider.System.GetTimestamp());
        Interlocked.Increment(ref _outages);
        RedisLog.Unavailable(_logger, bucket, Policy, fallbackRate, cause);
        _ = Task.Run(ProbeAsync);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task ProbeAsync()
    {
        CancellationToken stop;
        try
        {
            stop = _disposed.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        // The first probe goes at once: a single slow answer (a cold start, a script reload) costs one round trip of fallback,
        // not a whole interval. After that, one every interval.
        for (var first = true; !stop.IsCancellationRequested; first = false)
        {
            try
            {
                if (!first)
                {
                    await Task.Delay(_probeInterval, stop).ConfigureAwait(false);
                }

                var connection = _connection();
                if (connection.IsConnected)
                {
                    await connection.GetDatabase().PingAsync().WaitAsync(_budget, TimeProvider.System, stop).ConfigureAwait(false);
                    Interlocked.Increment(ref _probesSucceeded);
                    _metrics?.ProbeAnswered(true);
                    Close();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is RedisException or TimeoutException or ObjectDisposedException)
            {
            }

            Interlocked.Increment(ref _probesFailed);
            _metrics?.ProbeAnswered(false);
        }
    }

    private void Close()
    {
        Interlocked.Add(ref _fallbackTicks, TimeProvider.System.GetElapsedTime(Interlocked.Read(ref _openedAt)).Ticks);
        Volatile.Write(ref _open, 0);
        RedisLog.Recovered(_logger);
    }
}
