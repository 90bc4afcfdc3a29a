using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// While Redis cannot be reached the limiter follows <see cref="RedisRateLimiterOptions.FailurePolicy"/>, logs the outage once,
/// tries Redis again every <see cref="RedisRateLimiterOptions.RetryInterval"/>, and logs the recovery once.
/// <see cref="SetRate"/> stores the rate in Redis, where it wins over every process's own, so an adaptive rate is shared.
/// </remarks>
public sealed class RedisGcraRateLimiter : RateLimiter, IAdjustableRateLimiter
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKey[] _keys;
    private readonly int _burst;
    private readonly bool _allowBorrowing;
    private readonly long _allowanceMicroseconds;
    private readonly long _longestWaitMicroseconds;
    private readonly long _expiryMilliseconds;
    private readonly bool _useRedisTime;
    private readonly RedisFailurePolicy _failurePolicy;
    private readonly int _expectedInstances;
    private readonly long _retryIntervalTicks;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly GcraRateLimiter _fallback;
    private double _rate;
    private long _retryAt;
    private int _degraded;
    private long _roundTrips;
    private long _successfulLeases;
    private long _failedLeases;
    private long _fallbackLeases;
    private long _lastAcquired;
    private int _disposed;

    /// <summary>Creates a limiter over a bucket in Redis.</summary>
    /// <param name="connection">The connection; shared, not disposed by the limiter. Connect with <c>AbortOnConnectFail = false</c> so it reconnects by itself.</param>
    /// <param name="bucketName">The bucket's name, the same in every process that shares the quota (for example the service key, <c>SES</c>).</param>
    /// <param name="rateLimit">The rate, burst, queue limit (permits' worth of waiting, turned into the longest acceptable wait) and jitter allowance.</param>
    /// <param name="options">Key prefix, failure policy, clock and expiry; validated and copied.</param>
    /// <param name="timeProvider">The clock for waiting, for the caller's time (<see cref="RedisRateLimiterOptions.UseRedisTime"/> off) and for the fallback.</param>
    /// <param name="logger">Where the outage and the recovery are logged.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or <paramref name="bucketName"/> is empty or holds a brace.</exception>
    public RedisGcraRateLimiter(IConnectionMultiplexer connection, string bucketName, GcraRateLimiterOptions rateLimit, RedisRateLimiterOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _connection = Guard.NotNull(connection, nameof(connection));
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
        _allowanceMicroseconds = (long)(rateLimit.JitterAllowance.TotalMilliseconds * 1000);
        _longestWaitMicroseconds = rateLimit.QueueLimit == int.MaxValue ? -1 : (long)Math.Min(long.MaxValue / 2.0, rateLimit.QueueLimit * 1_000_000.0 / rateLimit.PermitsPerSecond);
        _expiryMilliseconds = (long)options.KeyExpiry.TotalMilliseconds;
        _useRedisTime = options.UseRedisTime;
        _failurePolicy = options.FailurePolicy;
        _expectedInstances = options.ExpectedInstances;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _retryIntervalTicks = (long)(options.RetryInterval.TotalSeconds * _timeProvider.TimestampFrequency);
        _logger = logger ?? NullLogger.Instance;
        // The fallback takes this process's share; what a request may cost is decided by the shared bucket's shape (CheckCost),
        // so the fallback lets a request within it borrow from its smaller share rather than refuse it.
        _fallback = new GcraRateLimiter(
            new GcraRateLimiterOptions
            {
                PermitsPerSecond = FallbackRate(rateLimit.PermitsPerSecond),
                Burst = Math.Max(1, _burst / _expectedInstances),
                QueueLimit = rateLimit.QueueLimit,
                JitterAllowance = rateLimit.JitterAllowance,
                AllowBorrowing = true,
            },
            _timeProvider);
        _lastAcquired = _timeProvider.GetTimestamp();
    }

    /// <summary>Gets the bucket's name.</summary>
    public string BucketName { get; }

    /// <summary>Gets the Redis key of the bucket, <c>{prefix}:{bucket}</c>.</summary>
    public string Key { get; }

    /// <summary>Gets the rate in force, in permits per second: this process's, or the one stored in Redis as last seen.</summary>
    public double PermitsPerSecond => Volatile.Read(ref _rate);

    /// <summary>Gets how many Redis round trips the limiter has made (acquires, rate changes, refunds, script reloads).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Gets how many leases the local fallback granted while Redis was unreachable.</summary>
    public long FallbackLeases => Interlocked.Read(ref _fallbackLeases);

    /// <summary>Gets whether the limiter is on its fallback (or failing closed) because Redis could not be reached.</summary>
    public bool IsDegraded => Volatile.Read(ref _degraded) != 0;

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastAcquired));

    /// <summary>Stores a new rate in Redis, where every process sharing the bucket takes it up; the debt is carried over in permits.</summary>
    /// <param name="permitsPerSecond">The new rate; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is not positive and finite.</exception>
    public void SetRate(double permitsPerSecond)
    {
        Guard.Rate(permitsPerSecond, nameof(permitsPerSecond));
        ThrowIfDisposed();
        var previous = Interlocked.Exchange(ref _rate, permitsPerSecond);
        _fallback.SetRate(FallbackRate(permitsPerSecond));
        if (RedisUsable())
        {
            var arguments = Arguments("rate", 0, permitsPerSecond, longestWait: -1);
            arguments[1] = previous.ToString("R", CultureInfo.InvariantCulture);

            // Fire and forget: a rate change must not wait on the network; a lost one is corrected by the next.
            _ = RunScriptAsync(arguments, CommandFlags.FireAndForget);
        }
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        ThrowIfDisposed();
        return new RateLimiterStatistics
        {
            // Unknown without a round trip; the fallback's is shown while it is in use.
            CurrentAvailablePermits = IsDegraded ? _fallback.GetStatistics()?.CurrentAvailablePermits ?? 0 : 0,
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
        if (!RedisUsable())
        {
            return Count(Fallback(() => _fallback.AttemptAcquire(permitCount), null));
        }

        try
        {
            var reply = Evaluate(Arguments("acquire", permitCount, PermitsPerSecond, longestWait: 0));
            return Count(Grant(reply, permitCount, out _));
        }
        catch (Exception error) when (IsRedisFailure(error))
        {
            MarkDown(error);
            return Count(Fallback(() => _fallback.AttemptAcquire(permitCount), error));
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        GcraMath.CheckCost(permitCount, _burst, PermitsPerSecond, _allowBorrowing);
        cancellationToken.ThrowIfCancellationRequested();
        if (!RedisUsable())
        {
            return Count(await FallbackAsync(permitCount, null, cancellationToken).ConfigureAwait(false));
        }

        RedisResult reply;
        try
        {
            reply = await RunScriptAsync(Arguments("acquire", permitCount, PermitsPerSecond, _longestWaitMicroseconds), CommandFlags.None).ConfigureAwait(false);
        }
        catch (Exception error) when (IsRedisFailure(error))
        {
            MarkDown(error);
            return Count(await FallbackAsync(permitCount, error, cancellationToken).ConfigureAwait(false));
        }

        var lease = Grant(reply, permitCount, out var wait);
        if (lease.IsAcquired && wait > TimeSpan.Zero)
        {
            try
            {
                await TimeProviderDelay.Wait(_timeProvider, wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The turn was reserved in Redis; give it back so a cancelled wait costs the fleet nothing.
                _ = RunScriptAsync(Arguments("refund", permitCount, PermitsPerSecond, longestWait: -1), CommandFlags.FireAndForget);
                throw;
            }
        }

        return Count(lease);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _fallback.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool IsRedisFailure(Exception error) => error is RedisException or TimeoutException or ObjectDisposedException;

    private RedisValue[] Arguments(string mode, int cost, double rate, long longestWait) =>
    [
        mode,
        cost,
        rate.ToString("R", CultureInfo.InvariantCulture),
        _burst,
        _allowanceMicroseconds,
        longestWait,
        _useRedisTime ? -1 : (_timeProvider.GetUtcNow().UtcTicks - UnixEpochTicks) / 10,
        _expiryMilliseconds,
    ];

    private RedisLease Grant(RedisResult reply, int permitCount, out TimeSpan wait)
    {
        var values = (RedisResult[])reply!;
        var waitMicroseconds = (long)values[1];
        wait = TimeSpan.FromTicks(waitMicroseconds * 10);
        if (double.TryParse((string?)values[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0)
        {
            Volatile.Write(ref _rate, rate);
        }

        RecoverIfDegraded();
        return (long)values[0] == 1 ? RedisLease.Granted : RedisLease.Refused(wait, permitCount);
    }

    private RedisResult Evaluate(RedisValue[] arguments)
    {
        var database = _connection.GetDatabase();
        Interlocked.Increment(ref _roundTrips);
        try
        {
            return database.ScriptEvaluate(RedisGcraScript.Sha1, _keys, arguments);
        }
        catch (RedisServerException missing) when (missing.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _roundTrips);
            return database.Execute("EVAL", EvalArguments(arguments));
        }
    }

    private async Task<RedisResult> RunScriptAsync(RedisValue[] arguments, CommandFlags flags)
    {
        var database = _connection.GetDatabase();
        Interlocked.Increment(ref _roundTrips);
        try
        {
            return await database.ScriptEvaluateAsync(RedisGcraScript.Sha1, _keys, arguments, flags).ConfigureAwait(false);
        }
        catch (RedisServerException missing) when (missing.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The script cache is emptied by SCRIPT FLUSH, a restart or a failover; EVAL loads it again for everyone.
            Interlocked.Increment(ref _roundTrips);
            return await database.ExecuteAsync("EVAL", EvalArguments(arguments), flags).ConfigureAwait(false);
        }
    }

    private object[] EvalArguments(RedisValue[] arguments)
    {
        var all = new object[3 + arguments.Length];
        all[0] = RedisGcraScript.Source;
        all[1] = 1;
        all[2] = _keys[0];
        for (var i = 0; i < arguments.Length; i++)
        {
            all[3 + i] = arguments[i];
        }

        return all;
    }

    /// <summary>Whether to try Redis now: connected, and not within the retry interval of a failure.</summary>
    private bool RedisUsable()
    {
        if (!_connection.IsConnected)
        {
            MarkDown(null);
            return false;
        }

        return _timeProvider.GetTimestamp() >= Interlocked.Read(ref _retryAt);
    }

    private void MarkDown(Exception? error)
    {
        Interlocked.Exchange(ref _retryAt, _timeProvider.GetTimestamp() + _retryIntervalTicks);
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            RedisLog.Unavailable(_logger, BucketName, _failurePolicy, PermitsPerSecond / _expectedInstances, error);
        }
    }

    private void RecoverIfDegraded()
    {
        if (Volatile.Read(ref _degraded) != 0 && Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            RedisLog.Recovered(_logger, BucketName);
        }
    }

    private RateLimitLease Fallback(Func<RateLimitLease> local, Exception? error)
    {
        if (_failurePolicy == RedisFailurePolicy.FailClosed)
        {
            throw Unavailable(error);
        }

        Interlocked.Increment(ref _fallbackLeases);
        return local();
    }

    private async ValueTask<RateLimitLease> FallbackAsync(int permitCount, Exception? error, CancellationToken cancellationToken)
    {
        if (_failurePolicy == RedisFailurePolicy.FailClosed)
        {
            throw Unavailable(error);
        }

        Interlocked.Increment(ref _fallbackLeases);
        return await _fallback.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
    }

    private RedisUnavailableException Unavailable(Exception? error) => new(
        $"The rate limit '{BucketName}' is kept in Redis ({Key}), which cannot be reached" + (error is null ? string.Empty : $" ({error.GetType().Name})") +
        $"; FailurePolicy is FailClosed, so the call was not made. Redis is tried again every {TimeSpan.FromSeconds(_retryIntervalTicks / (double)_timeProvider.TimestampFrequency)}; " +
        $"FailOpen would fall back to a local limit of {PermitsPerSecond / _expectedInstances:0.##}/s (rate ÷ ExpectedInstances).",
        error);

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

    /// <summary>A lease: granted (nothing to give back, the bucket refills by time), or refused with when to retry.</summary>
    private sealed class RedisLease : RateLimitLease
    {
        private readonly TimeSpan? _retryAfter;
        private readonly string? _reason;

        private RedisLease(bool acquired, TimeSpan? retryAfter, string? reason)
        {
            IsAcquired = acquired;
            _retryAfter = retryAfter;
            _reason = reason;
        }

        public static RedisLease Granted { get; } = new(true, null, null);

        public override bool IsAcquired { get; }

        public override IEnumerable<string> MetadataNames => IsAcquired ? [] : [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

        public static RedisLease Refused(TimeSpan retryAfter, int permitCount)
            => new(false, retryAfter, $"{permitCount} permit(s) would wait {retryAfter.TotalMilliseconds:0} ms, past the queue limit.");

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? _retryAfter
                : metadataName == MetadataName.ReasonPhrase.Name ? _reason
                : null;
            return metadata is not null;
        }
    }

    /// <summary>This process's share of the rate, never below the slowest rate a limiter takes (a tiny rate over many instances).</summary>
    private double FallbackRate(double permitsPerSecond) => Math.Max(Limits.MinRate, permitsPerSecond / _expectedInstances);
}
