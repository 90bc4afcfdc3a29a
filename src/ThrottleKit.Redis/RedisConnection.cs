using System;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ThrottleKit.Redis;

/// <summary>
/// The container's Redis connection — one it made from a configuration string (and disposes), or the app's own — and the
/// circuit every limiter on it shares.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer> _multiplexer;
    private readonly bool _owned;

    public RedisConnection(Func<IConnectionMultiplexer> connect, bool owned, RedisRateLimiterOptions options, ILogger? logger, RedisMetrics? metrics)
    {
        _multiplexer = new Lazy<IConnectionMultiplexer>(connect);
        _owned = owned;
        Circuit = new RedisCircuit(() => _multiplexer.Value, options, logger, metrics);
    }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public RedisCircuit Circuit { get; }

    /// <summary>
    /// Connects so that a Redis that is down, or hangs, does not stop the app (the limiters' failure policy covers the gap and
    /// the connection keeps trying), but one that refuses the credentials does: that is a mistake to fix, not an outage to
    /// ride out, and failing open on it would quietly lift the fleet's limit.
    /// </summary>
    /// <exception cref="RedisConnectionException">Redis refused the credentials.</exception>
    public static IConnectionMultiplexer Connect(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        try
        {
            var connected = ConnectionMultiplexer.Connect(options);
            return connected;
        }
        catch (RedisConnectionException refused) when (refused.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            throw;
        }
        catch (RedisConnectionException)
        {
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        }
    }

    public void Dispose()
    {
        Circuit.Dispose();
        if (_owned && _multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
