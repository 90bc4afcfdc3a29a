using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ThrottleKit.Redis.Tests.Support;
using ThrottleKit.TestSupport;
using Xunit.Abstractions;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// Leased permits from a Redis bucket: what a fleet of four processes costs Redis, counted on Redis's side
/// (<c>INFO commandstats</c>), on a clock the test moves.
/// </summary>
public sealed class RedisLeaseTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Four_processes_leasing_250_ms_make_under_one_Redis_call_per_twenty_permits_and_are_granted_all_they_ask()
    {
        await using var server = await LocalRedisServer.StartAsync();
        var time = new FakeTimeProvider();
        var options = new RedisRateLimiterOptions { UseRedisTime = false, AcquireTimeout = TimeSpan.FromSeconds(10), LeasePeriod = TimeSpan.FromMilliseconds(250) };
        var connections = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Connect(server)));
        using var admin = await Connect(server);
        var shape = new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 };
        var bucket = SharedRedis.NewBucketName();
        var circuits = connections.Select(c => new RedisConnection(c, options, logger: null)).ToArray();
        var fleet = circuits.Select(c => new RedisRateLimiterStore(c, Options.Create(options)).CreateLimiter(bucket, shape, time)).ToArray();
        Assert.All(fleet, limiter => Assert.IsType<LeasingRateLimiter>(limiter));
        var before = await ScriptCalls(admin, server);

        // 800 permits a second in all (200 per process, one each every 5 ms) for five seconds of the test's clock.
        var granted = new long[fleet.Length];
        for (var step = 0; step < 1000; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            for (var process = 0; process < fleet.Length; process++)
            {
                using var lease = await fleet[process].AcquireAsync(1).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                granted[process] += lease.IsAcquired ? 1 : 0;
            }
        }

        var calls = await ScriptCalls(admin, server) - before;
        var permits = granted.Sum();
        foreach (var limiter in fleet)
        {
            limiter.Dispose();
        }

        foreach (var circuit in circuits)
        {
            circuit.Dispose();
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        output.WriteLine($"{calls} script calls for {permits} permits ({(double)calls / permits:0.000} a permit)");
        Assert.Equal(4000, permits);
        Assert.All(granted, g => Assert.Equal(1000, g));

        // Per permit, it would be 4,000. A lease is about 50 permits (a quarter second of 200/s), topped up when an eighth is left.
        Assert.True(calls <= 0.05 * permits, $"{calls} script calls for {permits} permits ({(double)calls / permits:0.000} a permit)");
    }

    private static async Task<long> ScriptCalls(ConnectionMultiplexer admin, LocalRedisServer server)
    {
        var info = (string?)await admin.GetServer(server.Configuration).ExecuteAsync("INFO", "commandstats") ?? string.Empty;
        return Regex.Matches(info, @"cmdstat_(?:evalsha|eval):calls=(\d+)").Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<ConnectionMultiplexer> Connect(LocalRedisServer server)
        => await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false,allowAdmin=true,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000");
}
