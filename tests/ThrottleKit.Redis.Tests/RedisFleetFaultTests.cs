using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ThrottleKit.Redis.Tests.Support;
using ThrottleKit.Testing;
using ThrottleKit.TestSupport;
using Xunit.Abstractions;

namespace ThrottleKit.Redis.Tests;

/// <summary>
/// A fleet of three instances — each with a connection, a circuit and a fallback of its own, as three processes have —
/// sharing one bucket (60/s, burst 10) on a redis-server of the test's own, while that server is frozen, flushed, paused or
/// killed. README's promise, over any window that spans a fault: at most burst + rate · window + one permit per instance.
/// Real clock: the bound is widened by the scheduling lag the test measured (docs/testing.md).
/// </summary>
[Trait("Category", RealClock.Category)]
[Collection(FleetFaults.Name)]
public sealed class RedisFleetFaultTests(ITestOutputHelper output)
{
    private const int Instances = 3;
    private const double Rate = 60;
    private const int Burst = 10;

    public enum Fault
    {
        /// <summary>SIGSTOP for a second: connections stay open and nothing answers.</summary>
        FreezeOneSecond,

        /// <summary>SIGSTOP for ten seconds.</summary>
        FreezeTenSeconds,

        /// <summary>FLUSHALL: Redis answers throughout, and the bucket (with every turn it had reserved) is gone.</summary>
        FlushAll,

        /// <summary>CLIENT PAUSE for a second: a Redis that answers, late.</summary>
        Pause,

        /// <summary>Killed, started again a second later with nothing kept.</summary>
        KillAndRestart,
    }

    [Theory]
    [InlineData(RedisFailurePolicy.FailOpen, Fault.FreezeOneSecond, 30)]
    [InlineData(RedisFailurePolicy.FailOpen, Fault.FreezeOneSecond, 6)]
    [InlineData(RedisFailurePolicy.FailOpen, Fault.FreezeTenSeconds, 6)]
    [InlineData(RedisFailurePolicy.FailOpen, Fault.FlushAll, 30)]
    [InlineData(RedisFailurePolicy.FailOpen, Fault.Pause, 30)]
    [InlineData(RedisFailurePolicy.FailOpen, Fault.KillAndRestart, 30)]
    [InlineData(RedisFailurePolicy.FailClosed, Fault.FreezeOneSecond, 30)]
    [InlineData(RedisFailurePolicy.FailClosed, Fault.FlushAll, 30)]
    public Task The_fleet_stays_within_burst_plus_rate_plus_one_permit_per_instance_in_every_second_across_the_fault(RedisFailurePolicy policy, Fault fault, int waitersPerInstance)
        => RunAcrossFault(policy, fault, waitersPerInstance, leasePeriod: null);

    [Theory]
    [InlineData(Fault.FreezeOneSecond)]
    [InlineData(Fault.FlushAll)]
    [InlineData(Fault.KillAndRestart)]
    public Task A_leasing_fleet_stays_within_its_bound_plus_the_lease_allowance_across_the_fault(Fault fault)
        => RunAcrossFault(RedisFailurePolicy.FailOpen, fault, waitersPerInstance: 30, leasePeriod: TimeSpan.FromMilliseconds(250));

    private async Task RunAcrossFault(RedisFailurePolicy policy, Fault fault, int waitersPerInstance, TimeSpan? leasePeriod)
    {
        await using var server = await LocalRedisServer.StartAsync();
        var bucket = SharedRedis.NewBucketName();
        var connections = await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => Connect(server)));
        using var admin = await Connect(server);
        var options = new RedisRateLimiterOptions { FailurePolicy = policy, ExpectedInstances = Instances, LeasePeriod = leasePeriod };
        var shape = new GcraRateLimiterOptions { PermitsPerSecond = Rate, Burst = Burst };

        // Each instance's limiter as a container makes it: its own connection and circuit, leasing when the options say so.
        var circuits = connections.Select(c => new RedisConnection(c, options, logger: null)).ToArray();
        var fleet = circuits.Select(c => new RedisRateLimiterStore(c, Options.Create(options)).CreateLimiter(bucket, shape, TimeProvider.System)).ToArray();
        await using var lag = SchedulingLagProbe.Start();
        var grants = new ConcurrentQueue<long>();
        var failures = new ConcurrentQueue<Exception>();
        var started = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();

        var senders = fleet.SelectMany(limiter => Enumerable.Range(0, waitersPerInstance).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var lease = await limiter.AcquireAsync(1, stop.Token);
                    if (lease.IsAcquired)
                    {
                        grants.Enqueue(Stopwatch.GetTimestamp());
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (RedisUnavailableException) when (policy == RedisFailurePolicy.FailClosed)
                {
                    await Task.Delay(10);
                }
                catch (Exception error)
                {
                    failures.Enqueue(error);
                    return;
                }
            }
        }))).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var faultAt = Stopwatch.GetElapsedTime(started);
        await Inject(fault, server, admin);
        var recoveredAt = Stopwatch.GetElapsedTime(started);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        var runFor = Stopwatch.GetElapsedTime(started);
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

        var events = grants.Select(t => (Stopwatch.GetElapsedTime(started, t), 1L)).ToArray();
        var busiest = BusiestWindow.Find(events, TimeSpan.FromSeconds(1));
        var allowance = RealClock.LateTimestampAllowance(lag.MaxLag());
        var leaseAllowance = Rate * (leasePeriod ?? TimeSpan.Zero).TotalSeconds;
        var bound = RealClock.WindowBound(Burst, Rate, TimeSpan.FromSeconds(1), allowance) + Instances + leaseAllowance;
        var afterFault = events.Count(e => e.Item1 > recoveredAt);
        var evidence = $"{policy}, {fault}, {waitersPerInstance} waiters per instance{(leasePeriod is { } p ? $", leases of {p.TotalMilliseconds:0} ms" : "")}: {events.Length} granted in {runFor.TotalSeconds:0.0} s " +
            $"(fault {faultAt.TotalSeconds:0.00}–{recoveredAt.TotalSeconds:0.00} s, {afterFault} after it); busiest second {busiest.Count} from " +
            $"{busiest.Start.TotalSeconds:0.00} s, bound {bound:0.#} (burst {Burst} + rate {Rate} + {Instances} instances + lease allowance {leaseAllowance:0.#}, L = {allowance.TotalMilliseconds:0} ms); " +
            $"per second: {string.Join(" ", Enumerable.Range(0, (int)Math.Ceiling(runFor.TotalSeconds)).Select(s => events.Count(e => e.Item1.TotalSeconds >= s && e.Item1.TotalSeconds < s + 1)))}; {RealClock.LoadAverage()}";
        output.WriteLine(evidence);
        Assert.True(failures.IsEmpty, $"{failures.Count} senders failed, the first with {failures.FirstOrDefault()}");
        Assert.True(busiest.Count <= bound, evidence);

        // The fleet kept sending once Redis was back: at least half the rate over the last three seconds.
        Assert.True(afterFault >= Rate * 3 / 2, evidence);
    }

    private static async Task Inject(Fault fault, LocalRedisServer server, ConnectionMultiplexer admin)
    {
        switch (fault)
        {
            case Fault.FreezeOneSecond:
            case Fault.FreezeTenSeconds:
                server.Freeze();
                await Task.Delay(TimeSpan.FromSeconds(fault == Fault.FreezeOneSecond ? 1 : 10));
                server.Thaw();
                break;
            case Fault.FlushAll:
                await admin.GetServer(server.Configuration).FlushAllDatabasesAsync();
                break;
            case Fault.Pause:
                await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1000", "ALL");
                await Task.Delay(TimeSpan.FromSeconds(1));
                break;
            case Fault.KillAndRestart:
                await server.StopAsync();
                await Task.Delay(TimeSpan.FromSeconds(1));
                await server.StartAgainAsync();
                break;
        }
    }

    private static async Task<ConnectionMultiplexer> Connect(LocalRedisServer server)
        => await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false,allowAdmin=true,connectTimeout=1000");
}

/// <summary>The fleet fault runs load both cores with three fleets' callers; they run one at a time, beside nothing else of this project.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetFaults
{
    public const string Name = "Fleet faults";
}
