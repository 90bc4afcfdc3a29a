using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using ThrottleKit.Aws;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>
/// Several separate processes share one emulated quota: first each with its own limiter at the full quota (what a fleet
/// gets without coordination), then all with the Redis limiter.
/// </summary>
public static class FleetHarness
{
    /// <summary>The fleet experiment's settings.</summary>
    /// <param name="Quota">The emulator's quota Q (and burst).</param>
    /// <param name="Processes">How many worker processes.</param>
    /// <param name="SendersPerProcess">Concurrent senders in each.</param>
    /// <param name="Duration">How long each worker sends.</param>
    public sealed record Options(double Quota, int Processes, int SendersPerProcess, TimeSpan Duration)
    {
        /// <summary>Gets the full run's settings.</summary>
        public static Options Full { get; } = new(50, 4, 16, TimeSpan.FromSeconds(20));

        /// <summary>Gets a run short enough for the test command.</summary>
        public static Options Quick { get; } = new(50, 4, 8, TimeSpan.FromSeconds(4));
    }

    /// <summary>What one fleet run measured.</summary>
    /// <param name="Name">The row's name.</param>
    /// <param name="Throttled">Throttled attempts.</param>
    /// <param name="Goodput">Accepted calls per second in the steady window, as a fraction of Q.</param>
    /// <param name="ThrottledPercent">Throttled attempts, percent of all attempts.</param>
    /// <param name="Attempts">Attempts the emulator saw.</param>
    /// <param name="MaxPerWindow">The most attempts (accepted or throttled) the fleet sent in any 1 s window.</param>
    /// <param name="Bound">What one limiter of burst Q and rate Q allows in 1 s as the emulator stamps it: Q + Q·(1 s + L), L from the lag measured.</param>
    /// <param name="Workers">Each worker's report.</param>
    /// <param name="Evidence">The run's measured interval, lag and busiest second.</param>
    /// <param name="PerSecond">Accepted and throttled attempts in each second from the agreed start.</param>
    public sealed record Result(string Name, int Throttled, double Goodput, double ThrottledPercent, int Attempts, long MaxPerWindow, double Bound, IReadOnlyList<FleetWorker.Report> Workers, RunEvidence Evidence, IReadOnlyList<SecondCounts> PerSecond)
    {
        /// <summary>The fleet as a row of the goodput table and plots.</summary>
        /// <returns>The row; the fleet's calls, failures and latencies summed over its processes.</returns>
        public GoodputResult ToGoodputResult()
        {
            var latencies = Workers.SelectMany(w => w.LatenciesMs).Order().ToArray();
            return new GoodputResult(
                Name,
                Goodput,
                ThrottledPercent,
                (int)Workers.Sum(w => w.Calls),
                (int)Workers.Sum(w => w.Failed),
                0,
                Attempts,
                TimeSpan.FromMilliseconds(GoodputHarness.Percentile(latencies, 0.50)),
                TimeSpan.FromMilliseconds(GoodputHarness.Percentile(latencies, 0.99)),
                PerSecond,
                [],
                [],
                Evidence);
        }

        /// <summary>Gets the most goodput the service's bucket allows over the steady interval (<see cref="RealClock.GoodputCeiling"/>).</summary>
        public double GoodputCeiling(double quota) => RealClock.GoodputCeiling(quota, quota, Evidence.Steady, Evidence.Steady);

        /// <inheritdoc />
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"{Name}: goodput {Goodput:0.000} Q, {ThrottledPercent:0.00}% throttled of {Attempts} attempts, busiest second {MaxPerWindow} (bound {Bound:0.0}), {RoundTripsPerAcquire:0.000} round trips/acquire, {Workers.Sum(w => w.Failed)} failed calls; {Evidence}");

        /// <summary>Gets the Redis round trips per acquire, over the fleet.</summary>
        public double RoundTripsPerAcquire => Workers.Sum(w => w.Acquires) is var acquires and > 0 ? Workers.Sum(w => (double)w.RoundTrips) / acquires : 0;

        /// <summary>Gets the mean acquires per second of one process.</summary>
        public double AcquiresPerSecondPerProcess => Workers.Average(w => w.Acquires / w.Seconds);
    }

    /// <summary>Runs the fleet without and with Redis.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="redis">A StackExchange.Redis configuration string of a running server.</param>
    /// <param name="log">Progress lines.</param>
    /// <returns>The two results: per-process limiters, then Redis.</returns>
    public static async Task<IReadOnlyList<Result>> RunAsync(Options options, string redis, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var local = await RunOnceAsync(options, "Per-process limiters at Q each", redis: null).ConfigureAwait(false);
        log?.Invoke(local.ToString());
        var shared = await RunOnceAsync(options, "(g) ThrottleKit + Redis, one bucket", redis).ConfigureAwait(false);
        log?.Invoke(shared.ToString());
        return [local, shared];
    }

    /// <summary>
    /// Row (g) of the goodput run: the same quota and number of senders as the other rows, spread over
    /// <paramref name="processes"/> processes that share one bucket through Redis.
    /// </summary>
    /// <param name="options">The goodput run's settings (quota, senders, duration).</param>
    /// <param name="redis">A StackExchange.Redis configuration string of a running server.</param>
    /// <param name="processes">How many processes the senders are spread over.</param>
    /// <returns>The fleet's row.</returns>
    public static async Task<GoodputResult> RunGoodputRowAsync(GoodputOptions options, string redis, int processes = 4)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fleet = new Options(options.Quota, processes, Math.Max(1, options.Senders / processes), options.Duration);
        var result = await RunOnceAsync(fleet, $"(g) ThrottleKit fleet: {processes} processes, one bucket in Redis", redis).ConfigureAwait(false);
        return result.ToGoodputResult();
    }

    /// <summary>
    /// How many acquires per second one process gets from the Redis bucket when the rate is no limit: the backend's own
    /// ceiling (one round trip each, <paramref name="concurrency"/> in flight).
    /// </summary>
    /// <param name="redis">A StackExchange.Redis configuration string.</param>
    /// <param name="concurrency">Acquirers in flight.</param>
    /// <param name="duration">How long to measure.</param>
    /// <returns>Acquires per second and round trips per acquire.</returns>
    public static async Task<(double AcquiresPerSecond, double RoundTripsPerAcquire)> MeasureCapacityAsync(string redis, int concurrency, TimeSpan duration)
    {
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis).ConfigureAwait(false);
        using var limiter = new ThrottleKit.Redis.RedisGcraRateLimiter(
            connection,
            $"capacity-{Guid.NewGuid():N}",
            new ThrottleKit.GcraRateLimiterOptions { PermitsPerSecond = 10_000_000 },
            new ThrottleKit.Redis.RedisRateLimiterOptions());
        long acquires = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                using var lease = await limiter.AcquireAsync(1).ConfigureAwait(false);
                System.Threading.Interlocked.Increment(ref acquires);
            }
        })).ConfigureAwait(false);
        return (acquires / clock.Elapsed.TotalSeconds, limiter.RoundTrips / (double)acquires);
    }

    /// <summary>The fleet table.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="results">The results.</param>
    /// <returns>Markdown.</returns>
    public static string Markdown(Options options, IReadOnlyList<Result> results)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(results);
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Q = {options.Quota}/s (burst {options.Quota}), {options.Processes} processes × {options.SendersPerProcess} senders, {options.Duration.TotalSeconds:0} s.");
        table.AppendLine();
        table.AppendLine("| fleet | goodput (×Q) | throttled attempts | attempts | max attempts sent in any 1 s (bound Q + Q·(1 s + L)) | Redis round trips / acquire | acquires/s per process | failed calls |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Goodput:0.000} | {r.ThrottledPercent:0.00}% | {r.Attempts} | {r.MaxPerWindow} ({r.Bound:0}) | {(r.RoundTripsPerAcquire == 0 ? "–" : r.RoundTripsPerAcquire.ToString("0.000", CultureInfo.InvariantCulture))} | {r.AcquiresPerSecondPerProcess:0.0} | {r.Workers.Sum(w => w.Failed)} |");
        }

        return table.ToString();
    }

    private static async Task<Result> RunOnceAsync(Options options, string name, string? redis)
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions
        {
            RatePerSecond = options.Quota,
            Burst = options.Quota,
            AccountOfAccessKey = RenewingRoleSession.AccountOf,   // one quota for the account, whatever session signs, as AWS
        }).ConfigureAwait(false);
        var startAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);   // time for every worker to start and warm up
        var startOnEmulator = emulator.Elapsed + (startAt - DateTimeOffset.UtcNow);
        var prefix = $"fleet-{Guid.NewGuid():N}";
        var harness = typeof(FleetHarness).Assembly.Location;
        var workers = Enumerable.Range(0, options.Processes).Select(_ =>
        {
            var arguments = new List<string>
            {
                "fleet-worker", emulator.Endpoint.ToString(), options.Quota.ToString(CultureInfo.InvariantCulture),
                options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), options.SendersPerProcess.ToString(CultureInfo.InvariantCulture),
                startAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            };
            if (redis is not null)
            {
                arguments.AddRange([redis, prefix, options.Processes.ToString(CultureInfo.InvariantCulture)]);
            }

            return ChildProcess.RunAsync(harness, arguments, "A fleet worker");
        }).ToList();

        var reports = new List<FleetWorker.Report>();
        foreach (var worker in workers)
        {
            reports.Add(ChildProcess.LastJsonLine<FleetWorker.Report>(await worker.ConfigureAwait(false)));
        }

        // The warm-up calls before the start are left out. Goodput is counted by when the emulator decided, over the interval
        // every worker was sending (each reports its own start and end on the machine's monotonic clock), the first second
        // (the initial burst) left out: a worker slow to start on a loaded machine does not count as lost goodput.
        var attempts = emulator.Attempts.Where(a => a.At >= startOnEmulator).ToList();
        var steadyFrom = reports.Max(r => emulator.ToEmulatorTime(r.StartedAt)) + TimeSpan.FromSeconds(1);
        var steadyTo = reports.Min(r => emulator.ToEmulatorTime(r.EndedAt));
        var accepted = attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted && a.DecidedAt >= steadyFrom && a.DecidedAt < steadyTo);
        var throttled = attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled);
        var lag = TimeSpan.FromMilliseconds(Math.Max(emulator.SchedulingLag(startOnEmulator).TotalMilliseconds, reports.Max(r => r.SchedulingLagMs)));
        var busiest = emulator.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1), startOnEmulator);
        var excess = emulator.ExcessLag(RealClock.StallThreshold(AwsRateLimitOptions.DefaultJitterAllowance), startOnEmulator) + TimeSpan.FromMilliseconds(reports.Sum(r => r.ExcessLagMs));
        var evidence = new RunEvidence(steadyFrom, steadyTo, lag, excess, busiest, emulator.Describe());
        return new Result(
            name,
            throttled,
            steadyTo > steadyFrom ? accepted / (options.Quota * (steadyTo - steadyFrom).TotalSeconds) : 0,
            attempts.Count == 0 ? 0 : 100.0 * throttled / attempts.Count,
            attempts.Count,
            busiest.Count,
            RealClock.WindowBound(options.Quota, options.Quota, TimeSpan.FromSeconds(1), evidence.Allowance),
            reports,
            evidence,
            GoodputHarness.PerSecond(attempts, startOnEmulator, options.Duration + TimeSpan.FromSeconds(2)));
    }
}
