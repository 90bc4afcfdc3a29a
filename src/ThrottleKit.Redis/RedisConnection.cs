using System;
using StackExchange.Redis;

namespace ThrottleKit.Redis;

/// <summary>The container's Redis connection: one it made from a configuration string (and disposes), or the app's own.</summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer> _multiplexer;
    private readonly bool _owned;

    public RedisConnection(Func<IConnectionMultiplexer> connect, bool owned)
    {
        _multiplexer = new Lazy<IConnectionMultiplexer>(connect);
        _owned = owned;
    }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public static IConnectionMultiplexer Connect(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);

        // Start even while Redis is down, and keep reconnecting: the limiter's failure policy covers the gap.
        options.AbortOnConnectFail = false;
        return ConnectionMultiplexer.Connect(options);
    }

    public void Dispose()
    {
        if (_owned && _multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
