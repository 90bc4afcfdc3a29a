using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ThrottleKit.Redis;

/// <summary>
/// Whether a Redis connection is fit to be asked, in three phases that every limiter on the connection shares.
/// <list type="bullet">
/// <item><b>Closed</b>: Redis answers within the acquire budget; the shared bucket decides.</item>
/// <item><b>Open</b>: the first acquire that failed or ran out of budget opened it. Every limiter follows its failure policy
/// without asking Redis, and a single probe — one at a time, never the callers — checks Redis at once and then every
/// <see cref="RedisRateLimiterOptions.RetryInterval"/> until it answers within the budget.</item>
/// <item><b>Settling</b>: Redis answers again, but the fleet's other processes may still be on their fallbacks (their own
/// probes find Redis up to one interval later), invisible to Redis. For one interval and one budget a request here takes
/// its fallback share as well as the shared bucket's permits, so this process never spends more than its share while
/// another may still spend its own beside Redis.</item>
/// </list>
/// The budget and the probes run on the system clock whatever clock the limiters are given: they bound a wait on the network.
/// </summary>
internal sealed class RedisCircuit : IDisposable
{
    private readonly Func<IConnectionMultiplexer?> _connection;
    private readonly TimeSpan _probeInterval;
    private readonly ILogger _logger;
    private readonly RedisMetrics? _metrics;
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _lock = new();
    private CancellationTokenSource _closed = new();
    private CancellationTokenSource? _outage;
    private int _open;
    private long _openedAt;
    private long _fallbackTicks;
    private long _probesSucceeded;
    private long _probesFailed;
    private long _outages;
    private Exception? _refused;
    private IConnectionMultiplexer? _watched;
    private int _refusalLogged;

    public RedisCircuit(Func<IConnectionMultiplexer?> connection, RedisRateLimiterOptions options, ILogger? logger, RedisMetrics? metrics)
    {
        _connection = connection;
        _probeInterval = options.RetryInterval;
        Budget = options.AcquireTimeout;
        SettlingTime = options.RetryInterval + options.AcquireTimeout;
        Policy = options.FailurePolicy;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics;
        metrics?.Track(this);
    }

    public RedisFailurePolicy Policy { get; }

    /// <summary>Gets the longest a caller waits on Redis for one acquire, its very first included: <see cref="RedisRateLimiterOptions.AcquireTimeout"/>.</summary>
    public TimeSpan Budget { get; }

    /// <summary>Gets how long the circuit settles after Redis answers again: one probe interval (every other process's probe has run by then) and one budget.</summary>
    public TimeSpan SettlingTime { get; }

    /// <summary>Gets whether Redis is taken as unreachable: callers follow the failure policy without asking it.</summary>
    public bool IsOpen => Volatile.Read(ref _open) != 0;

    /// <summary>Gets whether an outage has not yet settled: the circuit is open, or closed less than <see cref="SettlingTime"/> ago.</summary>
    public bool InOutage => Volatile.Read(ref _outage) is not null;

    /// <summary>Gets the credentials failure Redis answered with, or <see langword="null"/>: refused credentials are a mistake, never an outage.</summary>
    public Exception? Refused => Volatile.Read(ref _refused);

    /// <summary>Gets a token cancelled when the circuit next opens: a turn Redis reserved that comes due after that is not used.</summary>
    public CancellationToken ClosedToken => Volatile.Read(ref _closed).Token;

    /// <summary>Gets a token cancelled when the current outage has settled (never, while there is none): a fallback wait then goes to Redis.</summary>
    public CancellationToken OutageToken => Volatile.Read(ref _outage)?.Token ?? new CancellationToken(canceled: true);

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

    /// <summary>Whether an error means Redis failed the call (an error of Redis's, no answer in time, a connection gone), as opposed to a bug.</summary>
    public static bool IsFailure(Exception error) => error is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>Whether <paramref name="error"/> is Redis refusing the credentials (AUTH), as opposed to an outage.</summary>
    public static bool IsRefusal(Exception error) => error switch
    {
        RedisConnectionException connection => connection.FailureType == ConnectionFailureType.AuthenticationFailure,
        RedisServerException server => server.Message.StartsWith("NOAUTH", StringComparison.Ordinal) || server.Message.StartsWith("WRONGPASS", StringComparison.Ordinal),
        _ => error.InnerException is { } inner && IsRefusal(inner),
    };

    /// <summary>Watches a connection for refused credentials, which it reports as a connection failure rather than throwing.</summary>
    public void Watch(IConnectionMultiplexer connection)
    {
        _watched = connection;
        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>Notes that Redis refused the credentials; logged at Error once. Every acquire then fails until a connection is restored.</summary>
    public void Refuse(Exception error)
    {
        Volatile.Write(ref _refused, error);
        if (Interlocked.Exchange(ref _refusalLogged, 1) == 0)
        {
            RedisLog.Refused(_logger, error);
        }
    }

    /// <summary>Takes Redis as unreachable from now; the first to say so logs it and starts the single probe.</summary>
    public void Trip(string bucket, double fallbackRate, Exception? cause)
    {
        CancellationTokenSource closed;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested || _open != 0)
            {
                return;
            }

            // A trip while the last outage still settles continues that outage: its fallbacks keep their schedule. The outage
            // is there before the circuit reads open, so a caller that sees it open finds the outage's token.
            if (_outage is null || _outage.IsCancellationRequested)
            {
                Volatile.Write(ref _outage, new CancellationTokenSource());
            }

            Interlocked.Exchange(ref _openedAt, TimeProvider.System.GetTimestamp());
            Interlocked.Increment(ref _outages);
            Volatile.Write(ref _open, 1);

            closed = _closed;
        }

        // Outside the lock: cancelling runs the reserved waits' continuations, which read the circuit.
        closed.Cancel();
        RedisLog.Unavailable(_logger, bucket, Policy, fallbackRate, cause);
        _ = Task.Run(ProbeAsync);
    }

    public void Dispose()
    {
        if (_watched is { } watched)
        {
            watched.ConnectionFailed -= OnConnectionFailed;
            watched.ConnectionRestored -= OnConnectionRestored;
        }

        _disposed.Cancel();
        _disposed.Dispose();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs failed)
    {
        if (failed.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            Refuse(failed.Exception ?? new RedisConnectionException(failed.FailureType, "Redis refused the credentials."));
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs restored) => Volatile.Write(ref _refused, null);

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

        // The first probe goes at once: a single slow answer (a script reload, a starved moment) costs one round trip of
        // fallback, not a whole interval. After that, one every interval.
        for (var first = true; !stop.IsCancellationRequested; first = false)
        {
            try
            {
                if (!first)
                {
                    await Task.Delay(_probeInterval, stop).ConfigureAwait(false);
                }

                var connection = _connection();
                if (connection is { IsConnected: true })
                {
                    await connection.GetDatabase().PingAsync().WaitAsync(Budget, TimeProvider.System, stop).ConfigureAwait(false);
                    Interlocked.Increment(ref _probesSucceeded);
                    _metrics?.ProbeAnswered(true);
                    Volatile.Write(ref _refused, null);
                    await CloseAsync(stop).ConfigureAwait(false);
                    return;
                }

                if (connection is not null && first)
                {
                    await DiagnoseAsync(connection, stop).ConfigureAwait(false);
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

    /// <summary>
    /// A connection that is not connected does not say why, and one made to keep trying (AbortOnConnectFail off) reported
    /// refused credentials once, perhaps before anyone listened. One trial connection that gives up at the first failure
    /// tells refused credentials apart from an outage; it runs once an outage, on the probe.
    /// </summary>
    private async Task DiagnoseAsync(IConnectionMultiplexer connection, CancellationToken stop)
    {
        var options = ConfigurationOptions.Parse(connection.Configuration);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = (int)Math.Max(1000, Budget.TotalMilliseconds);
        try
        {
            using var trial = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(TimeSpan.FromMilliseconds(options.ConnectTimeout * 2), TimeProvider.System, stop).ConfigureAwait(false);
        }
        catch (RedisConnectionException refused) when (refused.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            Refuse(refused);
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
        }
    }

    private async Task CloseAsync(CancellationToken stop)
    {
        CancellationTokenSource outage;
        long outages;
        lock (_lock)
        {
            Interlocked.Add(ref _fallbackTicks, TimeProvider.System.GetElapsedTime(Interlocked.Read(ref _openedAt)).Ticks);
            Volatile.Write(ref _closed, new CancellationTokenSource());
            Volatile.Write(ref _open, 0);
            outage = _outage!;
            outages = _outages;
        }

        RedisLog.Recovered(_logger);

        // Settling: once every other process's probe has had its turn, the outage is over unless the circuit opened again.
        await Task.Delay(SettlingTime, stop).ConfigureAwait(false);
        lock (_lock)
        {
            if (_open != 0 || _outages != outages)
            {
                return;
            }

            Volatile.Write(ref _outage, null);
        }

        outage.Cancel();
    }
}
