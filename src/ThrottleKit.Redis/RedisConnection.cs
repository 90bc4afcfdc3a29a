using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ThrottleKit.Redis;

/// <summary>
/// A limiter's Redis connection — one the container made from a configuration string (and disposes), the app's own, or the
/// one a limiter was built with — and the circuit every limiter on it shares. Connecting never happens on the permit path:
/// it starts in the background when this is made, and an acquire that finds it still under way waits for it, asynchronously,
/// at most the acquire budget, then follows the failure policy as for any Redis that does not answer in time.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly bool _owned;
    private IConnectionMultiplexer? _multiplexer;

    /// <summary>Starts connecting in the background with <paramref name="connect"/>, which may block (an app's own factory): it runs on the thread pool.</summary>
    public RedisConnection(Func<Task<IConnectionMultiplexer>> connect, bool owned, RedisRateLimiterOptions options, ILogger? logger, RedisMetrics? metrics)
    {
        _owned = owned;
        Circuit = new RedisCircuit(() => Volatile.Read(ref _multiplexer), options, logger, metrics);
        Ready = Task.Run(async () =>
        {
            var multiplexer = Use(await connect().ConfigureAwait(false));
            await WarmAsync(multiplexer).ConfigureAwait(false);
            return multiplexer;
        });
        _ = Ready.ContinueWith(
            static (failed, circuit) =>
            {
                if (failed.Exception?.InnerException is { } error && RedisCircuit.IsRefusal(error))
                {
                    ((RedisCircuit)circuit!).Refuse(error);
                }
            },
            Circuit,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Over a connection that exists already (a limiter built with one): ready at once, not disposed here.</summary>
    public RedisConnection(IConnectionMultiplexer multiplexer, RedisRateLimiterOptions options, ILogger? logger)
    {
        _owned = false;
        Circuit = new RedisCircuit(() => Volatile.Read(ref _multiplexer), options, logger, metrics: null);
        Ready = Task.FromResult(Use(multiplexer));
        _ = WarmAsync(multiplexer);
    }

    /// <summary>Gets the connection once made; <see langword="null"/> while connecting (or when connecting failed).</summary>
    public IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _multiplexer);

    /// <summary>Gets a task that completes when the connection is made (it may not be connected yet: it keeps trying by itself).</summary>
    public Task<IConnectionMultiplexer> Ready { get; }

    public RedisCircuit Circuit { get; }

    /// <summary>
    /// Connects so that a Redis that is down, or hangs, does not stop the app (the limiters' failure policy covers the gap and
    /// the connection keeps trying), but one that refuses the credentials is reported: that is a mistake to fix, not an outage
    /// to ride out, and failing open on it would quietly lift the fleet's limit.
    /// </summary>
    /// <exception cref="RedisConnectionException">Redis refused the credentials.</exception>
    public static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);

        // One attempt that throws on failure tells refused credentials apart at once (retries would only delay the answer);
        // anything else is an outage, and a connection made with AbortOnConnectFail off keeps trying by itself.
        var retries = options.ConnectRetry;
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (RedisConnectionException refused) when (refused.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            throw;
        }
        catch (RedisConnectionException)
        {
            options.AbortOnConnectFail = false;
            options.ConnectRetry = retries;
            return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Circuit.Dispose();
        if (_owned)
        {
            _ = Ready.ContinueWith(static made => made.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private IConnectionMultiplexer Use(IConnectionMultiplexer multiplexer)
    {
        Circuit.Watch(multiplexer);
        Volatile.Write(ref _multiplexer, multiplexer);
        return multiplexer;
    }

    /// <summary>
    /// Loads the script and runs it once by its SHA1, off the permit path: a process's first acquire then pays neither a
    /// second round trip (NOSCRIPT, then EVAL) nor the compiling of the code that sends it, and fits the acquire budget.
    /// Bounded, and failures ignored: a Redis that is down or hangs is the failure policy's business.
    /// </summary>
    private static async Task WarmAsync(IConnectionMultiplexer multiplexer)
    {
        if (!multiplexer.IsConnected)
        {
            return;
        }

        try
        {
            var database = multiplexer.GetDatabase();
            await database.ExecuteAsync("SCRIPT", "LOAD", RedisGcraScript.Source).WaitAsync(WarmUpTime, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            await database.ScriptEvaluateAsync(RedisGcraScript.Sha1, [RedisGcraScript.WarmUpKey], [RedisGcraScript.WarmUpMode]).WaitAsync(WarmUpTime, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
        }
    }

    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(1);
}
