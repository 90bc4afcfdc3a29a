using System;
using System.Globalization;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ThrottleKit.Internal;

namespace ThrottleKit.Redis;

/// <summary>
/// A token bucket kept in Redis, so every process that names the same bucket shares one quota. A <see cref="RateLimiter"/>
/// like <see cref="GcraRateLimiter"/> (same rate, burst, cost &gt; 1 and jitter allowance), so executors, Polly and
/// ASP.NET Core take it unchanged. Each acquire is one round trip: a Lua script run by its SHA1 refills the bucket lazily,
/// takes the permits or reserves the caller's turn, and answers how long to wait; the caller then waits locally.
/// </summary>
/// <remarks>
/// <para>
/// A caller never waits on Redis longer than <see cref="RedisRateLimiterOptions.AcquireTimeout"/>. When Redis fails or runs
/// out of that budget it is taken as unreachable: the call, and every call after it on the same connection, follows
/// <see cref="RedisRateLimiterOptions.FailurePolicy"/> at once, while a single probe checks Redis every
/// <see cref="RedisRateLimiterOptions.RetryInterval"/>; the outage and the recovery are logged once each. Cancellation and
/// disposal end a wait within milliseconds in every state (on Redis, on the fallback, or for a turn Redis reserved).
/// </para>
/// <para>
/// <see cref="SetRate"/> stores the rate in Redis, where it wins over every process's own, so an adaptive rate is shared;
/// <see cref="Pause"/> holds back the whole fleet (RedisGcraRateLimiter.FleetSettings.cs).
/// </para>
/// </remarks>
public sealed partial class RedisGcraRateLimiter : RateLimiter, IAdjustableRateLimiter, IPausableRateLimiter, IRefundableRateLimiter
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private readonly RedisConnection _redis;
    private readonly bool _ownsConnection;
    private readonly RedisKey[] _keys;
    private readonly int _burst;
    private readonly bool _allowBorrowing;
    private readonly bool _startEmpty;
    private readonly long _allowanceMicroseconds;
    private readonly long _longestWaitMicroseconds;
    private readonly long _expiryMilliseconds;
    private readonly bool _useRedisTime;
    private readonly RedisFailurePolicy _failurePolicy;
    private readonly TimeProvider _timeProvider;
    private readonly RedisOutageFallback _fallback;
    private readonly RedisCircuit _circuit;
    private readonly CancellationTokenSource _disposing = new();
    private double _rate;
    private BucketView? _view;
    private long _roundTrips;
    private long _successfulLeases;
    private long _failedLeases;
    private long _lastAcquired;
    private int _disposed;

    /// <summary>Creates a limiter over a bucket in Redis.</summary>
    /// <param name="connection">The connection; shared, not disposed by the limiter. Connect with <c>AbortOnConnectFail = false</c> so it reconnects by itself.</param>
    /// <param name="bucketName">The bucket's name, the same in every process that shares the quota (for example the service key, <c>SES</c>).</param>
    /// <param name="rateLimit">The rate, burst, queue limit (permits' worth of waiting, turned into the longest acceptable wait), jitter allowance and <see cref="GcraRateLimiterOptions.StartEmpty"/> (for a bucket that does not exist yet).</param>
    /// <param name="options">Key prefix, failure policy, clock and expiry; validated and copied.</param>
    /// <param name="timeProvider">The clock for waiting, for the caller's time (<see cref="RedisRateLimiterOptions.UseRedisTime"/> off) and for the fallback.</param>
    /// <param name="logger">Where the outage, the recovery and refused credentials are logged.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or <paramref name="bucketName"/> is empty or holds a brace.</exception>
    public RedisGcraRateLimiter(IConnectionMultiplexer connection, string bucketName, GcraRateLimiterOptions rateLimit, RedisRateLimiterOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(new RedisConnection(Guard.NotNull(connection, nameof(connection)), Guard.NotNull(options, nameof(options)), logger), ownsConnection: true, bucketName, rateLimit, options, timeProvider)
    {
    }

    /// <summary>A limiter on a connection whose circuit the container's limiters share (one probe for them all).</summary>
    internal RedisGcraRateLimiter(RedisConnection connection, bool ownsConnection, string bucketName, GcraRateLimiterOptions rateLimit, RedisRateLimiterOptions options, TimeProvider? timeProvider)
    {
        _redis = connection;
        _ownsConnection = ownsConnection;
        if (!RedisKeyPartAttribute.IsValid(bucketName))
        {
            throw new ArgumentOutOfRangeException(nameof(bucketName), bucketName, RedisKeyPartAttribute.Rule(nameof(bucketName), bucketName));
        }

        OptionsValidation.ThrowIfInvalid(rateLimit, nameof(rateLimit));
        OptionsValidation.ThrowIfInvalid(options, nameof(options));
        BucketName = bucketName;

        // The hash tag keeps every key of a bucket in one cluster slot, so the script may touch more than one if it ever must.
        Key = $"{options.KeyPrefix}:{{{bucketName}}}";
        _keys = [Key];
        _rate = rateLimit.PermitsPerSecond;
        _burst = GcraDefaults.EffectiveBurst(rateLimit.PermitsPerSecond, rateLimit.Burst);
        _allowBorrowing = rateLimit.AllowBorrowing;
        _startEmpty = rateLimit.StartEmpty;
        _allowanceMicroseconds = (long)(rateLimit.JitterAllowance.TotalMilliseconds * 1000);
        _longestWaitMicroseconds = rateLimit.QueueLimit == int.MaxValue ? -1 : (long)Math.Min(long.MaxValue / 2.0, rateLimit.QueueLimit * 1_000_000.0 / rateLimit.PermitsPerSecond);
        _expiryMilliseconds = (long)options.KeyExpiry.TotalMilliseconds;
        _useRedisTime = options.UseRedisTime;
        _failurePolicy = options.FailurePolicy;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _circuit = connection.Circuit;

        _fallback = new RedisOutageFallback(rateLimit, _burst, options.ExpectedInstances, options.LeasePeriod ?? TimeSpan.Zero, _circuit, _timeProvider);
        _lastAcquired = _timeProvider.GetTimestamp();
    }

    /// <summary>Gets the bucket's name.</summary>
    public string BucketName { get; }

    /// <summary>Gets the bucket's burst as this process made it: the most one acquire may take without borrowing.</summary>
    internal int Burst => _burst;

    /// <summary>Gets the Redis key of the bucket, <c>{prefix}:{bucket}</c>.</summary>
    internal string Key { get; }

    /// <summary>Gets the rate in force, in permits per second: the one stored in Redis as last seen, or this process's until Redis has answered.</summary>
    public double PermitsPerSecond => Volatile.Read(ref _rate);

    /// <summary>Gets how many Redis round trips the limiter has made (acquires, rate changes, refunds, script reloads).</summary>
    internal long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Gets how many leases the local fallback granted while Redis was unreachable or the fleet settled after it.</summary>
    internal long FallbackLeases => _fallback.Leases;

    /// <summary>Gets whether the limiter is on its fallback (or failing closed) because Redis could not be reached.</summary>
    internal bool IsDegraded => _circuit.IsOpen;

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastAcquired));

    /// <inheritdoc />
    /// <remarks>
    /// Statistics ask Redis nothing. While Redis answers, <see cref="RateLimiterStatistics.CurrentAvailablePermits"/> is what
    /// its last answer to this process showed, refilled since by time alone (other processes may have spent some since); while
    /// the fallback is in use, the fallback's.
    /// </remarks>
    public override RateLimiterStatistics? GetStatistics()
    {
        ThrowIfDisposed();
        long available;
        if (IsDegraded)
        {
            available = _fallback.AvailablePermits;
        }
        else if (Volatile.Read(ref _view) is { } last)
        {
            var debt = last.Tat - last.Now - (_timeProvider.GetElapsedTime(last.Timestamp).Ticks / 10.0);
            available = GcraMath.AvailablePermits(debt, last.Burst, 1_000_000 / last.Rate, _allowanceMicroseconds);
        }
        else
        {
            available = _startEmpty ? 1 : _burst;
        }

        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = available,
            CurrentQueuedCount = 0,
            TotalSuccessfulLeases = Interlocked.Read(ref _successfulLeases),
            TotalFailedLeases = Interlocked.Read(ref _failedLeases),
        };
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfDisposed();
        GcraMath.CheckCost(permitCount, _burst, PermitsPerSecond, _allowBorrowing);
        ThrowIfRefused();
        RateLimitLease? share = null;
        if (_circuit.InOutage && (_circuit.IsOpen || _failurePolicy == RedisFailurePolicy.FailOpen))
        {
            share = Fallback(permitCount, null);
            if (!share.IsAcquired || _circuit.IsOpen)
            {
                return Count(share);
            }
        }

        var connection = _redis.Multiplexer;
        if (connection is not { IsConnected: true } || _circuit.IsOpen)
        {
            Trip(null);
            return Count(share ?? Fallback(permitCount, null));
        }

        // The synchronous API blocks, as its contract says, but never past the budget.
        var script = RunScriptAsync(connection, Arguments("acquire", permitCount, PermitsPerSecond, longestWait: 0), CommandFlags.None);
        Exception? failure;
        try
        {
            if (script.Wait(_circuit.Budget))
            {
                return Count(Grant(script.Result, permitCount, out _));
            }

            failure = LateAnswer(script);
        }
        catch (AggregateException wrapped) when (wrapped.InnerException is { } error && RedisCircuit.IsFailure(error))
        {
            ThrowIfRefusal(error);
            failure = error;
        }

        Trip(failure);
        return Count(share ?? Fallback(permitCount, failure));
    }

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        GcraMath.CheckCost(permitCount, _burst, PermitsPerSecond, _allowBorrowing);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfRefused();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        try
        {
            // Each round asks whichever the circuit's phase says; a round ends in a lease, or in a change of phase (Redis
            // failed, a reserved turn could not be confirmed, the outage settled while the caller waited on the fallback).
            RateLimitLease? share = null;
            while (true)
            {
                var open = _circuit.IsOpen;
                if (open && _failurePolicy == RedisFailurePolicy.FailClosed)
                {
                    throw Unavailable(null);
                }

                if (share is null && _failurePolicy == RedisFailurePolicy.FailOpen && _circuit.InOutage)
                {
                    share = await _fallback.TakeDuringOutageAsync(permitCount, waiting.Token).ConfigureAwait(false);
                    if (share is not null && (!share.IsAcquired || _circuit.IsOpen))
                    {
                        // Refused by the queue limit, or Redis is still out: the fallback's permit is the call's.
                        return Count(share);
                    }

                    // Settling (the share is taken; the shared bucket's permits too, next), or settled while it waited (Redis alone).
                    continue;
                }

                if (open)
                {
                    // Out again after this caller took its share while the fleet settled (or, in a race with the probe, an
                    // outage that settled as the circuit opened: the fallback decides).
                    return Count(share ?? await _fallback.WaitAsync(permitCount, waiting.Token).ConfigureAwait(false));
                }

                if (await FromRedisAsync(permitCount, waiting.Token).ConfigureAwait(false) is { } lease)
                {
                    return Count(lease);
                }

                if (share is not null)
                {
                    return Count(share);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(GetType().FullName, "The limiter was disposed while the call waited.");
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _disposing.Cancel();
            _fallback.Dispose();
            if (_ownsConnection)
            {
                _redis.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// One round trip: the lease Redis grants (after waiting for the turn it reserved), or <see langword="null"/> when Redis
    /// is not to be used for this call — it did not answer within the budget (the circuit is now open), or went away while
    /// the caller waited for its turn: a turn that cannot be confirmed is not used, as the fleet is on its fallbacks by then.
    /// </summary>
    private async ValueTask<RateLimitLease?> FromRedisAsync(int permitCount, CancellationToken cancellationToken)
    {
        var closed = _circuit.ClosedToken;
        if (_circuit.IsOpen)
        {
            return null;
        }

        var started = TimeProvider.System.GetTimestamp();
        var connection = _redis.Multiplexer;
        try
        {
            // Still connecting (the app's first call): wait for it, asynchronously, within the same budget as the answer.
            connection ??= await _redis.Ready.WaitAsync(_circuit.Budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (RedisCircuit.IsFailure(error))
        {
            ThrowIfRefusal(error);
            Trip(error);
            return null;
        }

        if (!connection.IsConnected)
        {
            Trip(null);
            return null;
        }

        var budget = _circuit.Budget - TimeProvider.System.GetElapsedTime(started);
        var script = RunScriptAsync(connection, Arguments("acquire", permitCount, PermitsPerSecond, _longestWaitMicroseconds), CommandFlags.None);
        RedisResult reply;
        try
        {
            reply = await script.WaitAsync(budget > TimeSpan.Zero ? budget : TimeSpan.Zero, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!script.IsCompleted)
        {
            Trip(LateAnswer(script));
            return null;
        }
        catch (OperationCanceledException) when (!script.IsCompleted)
        {
            GiveBackWhenAnswered(script, permitCount);
            throw;
        }
        catch (Exception error) when (RedisCircuit.IsFailure(error))
        {
            ThrowIfRefusal(error);
            Trip(error);
            return null;
        }

        var lease = Grant(reply, permitCount, out var wait);
        if (lease.IsAcquired && wait > TimeSpan.Zero)
        {
            using var turn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closed);
            try
            {
                await TimeProviderDelay.Wait(_timeProvider, wait, turn.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (closed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                // The turn was reserved in Redis; give it back so a cancelled wait costs the fleet nothing.
                GiveBack(permitCount);
                throw;
            }
        }

        return lease;
    }

    private RedisValue[] Arguments(string mode, int cost, double rate, long longestWait)
    {
        var view = Volatile.Read(ref _view);
        return
        [
            mode,
            cost,
            rate.ToString("R", CultureInfo.InvariantCulture),
            _burst,
            _allowanceMicroseconds,
            longestWait,
            _useRedisTime ? -1 : (_timeProvider.GetUtcNow().UtcTicks - UnixEpochTicks) / 10,
            _expiryMilliseconds,
            view is null ? "-1" : view.Tat.ToString("R", CultureInfo.InvariantCulture),
            _startEmpty && view is null ? 1 : 0,
            view is null || view.Outages != _circuit.Outages ? "-1" : view.Now.ToString("R", CultureInfo.InvariantCulture),
        ];
    }

    private RedisLease Grant(RedisResult reply, int permitCount, out TimeSpan wait)
    {
        var values = (RedisResult[])reply!;
        var waitMicroseconds = (long)values[1];
        wait = TimeSpan.FromTicks(waitMicroseconds * 10);
        if (double.TryParse((string?)values[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0)
        {
            Volatile.Write(ref _rate, rate);
            if (values.Length >= 6
                && double.TryParse((string?)values[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var tat)
                && double.TryParse((string?)values[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var now))
            {
                // What the bucket held (the view a lost bucket is rebuilt from) and what it holds, for the statistics. The
                // newest answer by the bucket's clock is kept: answers to concurrent acquires are read in any order, and an
                // older one read last would rebuild a lost bucket without the turns reserved since, which would then be
                // granted twice.
                Keep(new BucketView(tat, now, rate, (int)(long)values[3], _timeProvider.GetTimestamp(), _circuit.Outages));
            }
        }

        return (long)values[0] == 1 ? RedisLease.Granted : RedisLease.Refused(wait, permitCount);
    }

    private Task<RedisResult> RunScriptAsync(IConnectionMultiplexer connection, RedisValue[] arguments, CommandFlags flags)
        => RedisGcraScript.EvaluateAsync(connection.GetDatabase(), _keys, arguments, flags, () => Interlocked.Increment(ref _roundTrips));

    private RateLimitLease Fallback(int permitCount, Exception? error)
        => _failurePolicy == RedisFailurePolicy.FailClosed ? throw Unavailable(error) : _fallback.Take(permitCount);

    private void Trip(Exception? error) => _circuit.Trip(BucketName, _fallback.RateFor(PermitsPerSecond), error);

    /// <summary>Gives back permits Redis granted or reserved for a caller that did not use them.</summary>
    private void GiveBack(int permitCount)
    {
        if (permitCount > 0 && _redis.Multiplexer is { IsConnected: true } connection)
        {
            _ = RunScriptAsync(connection, Arguments("refund", permitCount, PermitsPerSecond, longestWait: -1), CommandFlags.FireAndForget);
        }
    }

    /// <summary>
    /// A script the caller stopped waiting for because Redis ran out of the budget. If Redis runs it after all, what it grants
    /// stays spent: the caller sends on the fallback's permit, so the shared bucket counts a request that did go out, and the
    /// fleet does not find it refilled when Redis answers again.
    /// </summary>
    private TimeoutException LateAnswer(Task<RedisResult> script)
    {
        _ = script.ContinueWith(static answered => _ = answered.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new TimeoutException($"Redis did not answer within the acquire budget of {_circuit.Budget.TotalMilliseconds:0} ms.");
    }

    /// <summary>A script the caller cancelled: if Redis runs it after all and grants, the permits go back, as nothing was sent.</summary>
    private void GiveBackWhenAnswered(Task<RedisResult> script, int permitCount)
        => _ = script.ContinueWith(
            static (answered, state) =>
            {
                var (limiter, permits) = ((RedisGcraRateLimiter, int))state!;
                if (answered.Status == TaskStatus.RanToCompletion && (RedisResult[]?)answered.Result is { Length: > 0 } values && (long)values[0] == 1)
                {
                    limiter.GiveBack(permits);
                }

                _ = answered.Exception;
            },
            (this, permitCount),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private RedisUnavailableException Unavailable(Exception? error) => RedisUnavailableException.Unreachable(BucketName, Key, _fallback.RateFor(PermitsPerSecond), error);

    private void ThrowIfRefused()
    {
        if (_circuit.Refused is { } refused)
        {
            throw RedisUnavailableException.CredentialsRefused(BucketName, Key, refused);
        }
    }

    private void ThrowIfRefusal(Exception error)
    {
        if (RedisCircuit.IsRefusal(error))
        {
            _circuit.Refuse(error);
            ThrowIfRefused();
        }
    }

    private RateLimitLease Count(RateLimitLease lease)
    {
        if (lease.IsAcquired)
        {
            Interlocked.Increment(ref _successfulLeases);
            Interlocked.Exchange(ref _lastAcquired, _timeProvider.GetTimestamp());
        }
        else
        {
            Interlocked.Increment(ref _failedLeases);
        }

        return lease;
    }

    private void ThrowIfDisposed() => Guard.NotDisposed(Volatile.Read(ref _disposed) != 0, this);
}
