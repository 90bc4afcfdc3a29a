using ThrottleKit.TestSupport;
using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using ThrottleKit.Testing;

namespace ThrottleKit.Redis.Tests.Support;

/// <summary>
/// The Redis most tests share: THROTTLEKIT_REDIS (host:port, set by <c>.ci/run</c>) if given, else a redis-server started here.
/// Each test uses keys of its own, so tests may run side by side.
/// </summary>
public sealed class SharedRedis : IAsyncLifetime
{
    private static int s_keys;
    private LocalRedisServer? _ownServer;

    public string Configuration { get; private set; } = string.Empty;

    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public static string NewBucketName() => $"test-{Environment.ProcessId}-{Interlocked.Increment(ref s_keys)}-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        var configured = LocalRedisServer.Configured;
        if (configured is null)
        {
            _ownServer = await LocalRedisServer.StartAsync();
            configured = _ownServer.Configuration;
        }

        Configuration = configured;
        Connection = await ConnectionMultiplexer.ConnectAsync(configured + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (_ownServer is not null)
        {
            await _ownServer.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisTests : ICollectionFixture<SharedRedis>
{
    public const string Name = "Redis";
}
