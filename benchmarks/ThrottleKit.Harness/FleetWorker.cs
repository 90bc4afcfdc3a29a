using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Testing;
using ThrottleKit;
using ThrottleKit.Redis;

namespace ThrottleKit.Harness;

/// <summary>
/// One process of the fleet: an app as a user writes it (an SDK client from the container on a role session of its own,
/// <c>AddThrottledAwsClients</c>, optionally <c>.UseRedis</c>), sending as fast as its senders can from a shared start time, then printing what it did as JSON.
/// </summary>
public static class FleetWorker
{
    /// <summary>What one worker reports.</summary>
    /// <param name="Calls">Calls made.</param>
    /// <param name="Failed">Calls that failed.</param>
    /// <param name="Acquires">Leases the service limiter granted.</param>
    /// <param name="RoundTrips">Redis round trips (0 without Redis).</param>
    /// <param name="Seconds">How long it sent.</param>
    /// <param name="StartedAt">When it began sending, as a <see cref="Stopwatch"/> timestamp (the machine's monotonic clock).</param>
    /// <param name="EndedAt">When it stopped sending, likewise.</param>
    /// <param name="SchedulingLagMs">The largest scheduling lag its probe measured while it sent, in milliseconds.</param>
    /// <param name="ExcessLagMs">How long it ran later than half the jitter allowance in all while it sent, in milliseconds.</param>
    /// <param name="LatenciesMs">Every call's latency, waits and retries included, in milliseconds.</param>
    /// <param name="Buckets">The names of the buckets the process made over the whole run, its session renewals included.</param>
    public sealed record Report(long Calls, long Failed, long Acquires, long RoundTrips, double Seconds, long StartedAt, long EndedAt, double SchedulingLagMs, double ExcessLagMs, double[] LatenciesMs, string[] Buckets);

    /// <summary>Runs a worker from its command line: <c>fleet-worker ENDPOINT RATE SECONDS SENDERS START_UNIX_MS [REDIS PREFIX INSTANCES]</c>.</summary>
    /// <param name="args">The arguments after <c>fleet-worker</c>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = args[0];
        var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
        var senders = int.Parse(args[3], CultureInfo.InvariantCulture);
        var startAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(args[4], CultureInfo.InvariantCulture));
        var redis = args.Length > 5 ? args[5] : null;

        var services = new ServiceCollection();
        // Each process holds a role session of its own, of one account, whose key renews every second: a bucket per key
        // would give every process, and every renewal, a quota of its own.
        var session = new RenewingRoleSession(Environment.ProcessId.ToString("D7", CultureInfo.InvariantCulture), RenewingRoleSession.FleetAccount);
        var throttling = services.AddThrottledSes(endpoint, ses => ses.RateLimit.PermitsPerSecond = rate, session);
        if (redis is not null)
        {
            throttling.UseRedis(redis, o =>
            {
                o.KeyPrefix = args[6];
                o.ExpectedInstances = int.Parse(args[7], CultureInfo.InvariantCulture);

                // This run measures how well a fleet shares one bucket, with Redis up throughout. Four processes on two busy
                // cores stall for hundreds of milliseconds at times; the default 50 ms budget would take those stalls for a
                // Redis outage and fail open for a moment (measured: 0.97 round trips an acquire, a busiest second 2 over
                // its bound). A starved machine is where a longer budget belongs.
                o.AcquireTimeout = TimeSpan.FromSeconds(1);
            });
        }

        RecordingRateLimiterStore.Record(services);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        // Warm up (JIT, connection, script load) before the start; a few calls against the quota before anyone sends in earnest.
        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest()).ConfigureAwait(false);
        var store = provider.GetRequiredService<RecordingRateLimiterStore>();
        var limiter = store.Limiters.Single();

        var delay = startAt - DateTimeOffset.UtcNow;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }

        await using var lag = SchedulingLagProbe.Start();
        var before = limiter.GetStatistics()!.TotalSuccessfulLeases;
        var roundTripsBefore = (limiter as RedisGcraRateLimiter)?.RoundTrips ?? 0;
        var startedAt = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        var (calls, failed, latencies) = await FlatOut.SendAsync(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()), senders, duration).ConfigureAwait(false);
        var endedAt = Stopwatch.GetTimestamp();

        var report = new Report(
            calls,
            failed,
            limiter.GetStatistics()!.TotalSuccessfulLeases - before,
            ((limiter as RedisGcraRateLimiter)?.RoundTrips ?? 0) - roundTripsBefore,
            clock.Elapsed.TotalSeconds,
            startedAt,
            endedAt,
            lag.MaxLag().TotalMilliseconds,
            lag.ExcessLag(RealClock.StallThreshold(AwsRateLimitOptions.DefaultJitterAllowance)).TotalMilliseconds,
            latencies,
            [.. store.BucketNames]);
        Console.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }
}
