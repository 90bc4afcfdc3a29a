using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using ThrottleKit.Internal;

namespace ThrottleKit.Redis;

/// <summary>
/// One bucket's script as this process calls it: the arguments it sends (the bucket's shape, the caller's clock, the floor a
/// lost bucket is rebuilt from), what it reads from each answer (the rate in force, what the bucket held) and the round trips
/// it makes, reloading the script where Redis lost it. The limiter decides when to call; this knows how.
/// </summary>
internal sealed class RedisBucketScript
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private readonly RedisConnection _redis;
    private readonly RedisKey[] _keys;
    private readonly int _burst;
    private readonly long _expiryMilliseconds;
    private readonly bool _useRedisTime;
    private readonly TimeProvider _timeProvider;
    private double _rate;
    private double _seenTat = -1;
    private RedisBucketReading? _lastAnswer;
    private long _roundTrips;

    public RedisBucketScript(RedisConnection redis, string key, GcraRateLimiterOptions rateLimit, int burst, RedisRateLimiterOptions options, TimeProvider timeProvider)
    {
        _redis = redis;
        _keys = [key];
        _rate = rateLimit.PermitsPerSecond;
        _burst = burst;
        StartsEmpty = rateLimit.StartEmpty;
        AllowanceMicroseconds = (long)(rateLimit.JitterAllowance.TotalMilliseconds * 1000);
        _expiryMilliseconds = (long)options.KeyExpiry.TotalMilliseconds;
        _useRedisTime = options.UseRedisTime;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the rate in force: the one stored in Redis as last seen, or this process's until Redis has answered.</summary>
    public double Rate => Volatile.Read(ref _rate);

    /// <summary>Gets how many round trips the script has made (acquires, rate changes, refunds, reloads).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Gets what the bucket held when Redis last answered this process, if it has.</summary>
    public RedisBucketReading? LastAnswer => Volatile.Read(ref _lastAnswer);

    public long AllowanceMicroseconds { get; }

    /// <summary>Gets whether a bucket that does not exist yet starts empty but for one permit.</summary>
    public bool StartsEmpty { get; }

    /// <summary>Sets this process's rate, returning the one it replaces.</summary>
    public double ExchangeRate(double rate) => Interlocked.Exchange(ref _rate, rate);

    public RedisValue[] Arguments(string mode, int cost, double rate, long longestWait)
    {
        var seen = Volatile.Read(ref _seenTat);
        return
        [
            mode,
            cost,
            rate.ToString("R", CultureInfo.InvariantCulture),
            _burst,
            AllowanceMicroseconds,
            longestWait,
            _useRedisTime ? -1 : (_timeProvider.GetUtcNow().UtcTicks - UnixEpochTicks) / 10,
            _expiryMilliseconds,
            seen.ToString("R", CultureInfo.InvariantCulture),
            StartsEmpty && seen < 0 ? 1 : 0,
        ];
    }

    /// <summary>Reads an acquire's answer: the lease, how long the caller waits for its turn, and what the bucket holds now.</summary>
    public PermitLease Read(RedisResult reply, int permitCount, out TimeSpan wait)
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
                // What the bucket held (the floor a lost bucket is rebuilt from) and what it holds, for the statistics.
                Volatile.Write(ref _seenTat, tat);
                Volatile.Write(ref _lastAnswer, new RedisBucketReading(tat - now, rate, (int)(long)values[3], _timeProvider.GetTimestamp()));
            }
        }

        return (long)values[0] == 1 ? PermitLease.Granted : PermitLease.Rejected(wait, $"{permitCount} permit(s) would wait {wait.TotalMilliseconds:0} ms, past the queue limit.");
    }

    public async Task<RedisResult> RunAsync(IConnectionMultiplexer connection, RedisValue[] arguments, CommandFlags flags)
    {
        var database = connection.GetDatabase();
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

    /// <summary>Gives back permits Redis granted or reserved for a caller that did not use them.</summary>
    public void GiveBack(int permitCount)
    {
        if (permitCount > 0 && _redis.Multiplexer is { IsConnected: true } connection)
        {
            _ = RunAsync(connection, Arguments("refund", permitCount, Rate, longestWait: -1), CommandFlags.FireAndForget);
        }
    }

    /// <summary>A script the caller cancelled: if Redis runs it after all and grants, the permits go back, as nothing was sent.</summary>
    public void GiveBackWhenGranted(Task<RedisResult> script, int permitCount)
        => _ = script.ContinueWith(
            static (answered, state) =>
            {
                var (self, permits) = ((RedisBucketScript, int))state!;
                if (answered.Status == TaskStatus.RanToCompletion && (RedisResult[]?)answered.Result is { Length: > 0 } values && (long)values[0] == 1)
                {
                    self.GiveBack(permits);
                }

                _ = answered.Exception;
            },
            (this, permitCount),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

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
}
