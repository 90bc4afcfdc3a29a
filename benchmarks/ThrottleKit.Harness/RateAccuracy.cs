using System;
using System.Diagnostics;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BclTokenBucket = System.Threading.RateLimiting.TokenBucketRateLimiter;
using BclTokenBucketOptions = System.Threading.RateLimiting.TokenBucketRateLimiterOptions;

namespace ThrottleKit.Harness;

/// <summary>
/// Real-clock rate accuracy: 64 callers acquire one permit at a time for T seconds; how many permits does each limiter
/// grant against r·T? ThrottleKit's limiter and the BCL's, configured to the same rate and burst, run side by side.
/// </summary>
public static class RateAccuracy
{
    /// <summary>Runs r = 100/s for 10 s and r = 0.5/s for 60 s (quick: 2 s and 6 s).</summary>
    /// <param name="quick">Shorter runs, for a smoke test.</param>
    /// <returns>A markdown table.</returns>
    public static async Task<string> RunAsync(bool quick)
    {
        var cases = new[] { (Rate: 100.0, Burst: 100, Seconds: quick ? 2 : 10), (Rate: 0.5, Burst: 1, Seconds: quick ? 6 : 60) };
        var text = new StringBuilder("| limiter | r | burst | T | granted | r·T | target [0.995·r·T, r·T + burst] |\n|---|---:|---:|---:|---:|---:|---|\n");
        foreach (var (rate, burst, seconds) in cases)
        {
            using var throttleKit = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = burst });
            using var bcl = new BclTokenBucket(new BclTokenBucketOptions
            {
                // The BCL's rates are whole tokens per period: 100/s is 1 per 10 ms, 0.5/s is 1 per 2 s.
                TokenLimit = burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1 / rate),
                AutoReplenishment = true,
                QueueLimit = int.MaxValue,
            });
            var duration = TimeSpan.FromSeconds(seconds);
            var counts = await Task.WhenAll(CountAsync(throttleKit, duration), CountAsync(bcl, duration)).ConfigureAwait(false);
            foreach (var (name, granted) in new[] { ("ThrottleKit", counts[0]), ("System.Threading.RateLimiting", counts[1]) })
            {
                var expected = rate * seconds;
                var within = granted >= 0.995 * expected && granted <= expected + burst;
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {rate}/s | {burst} | {seconds} s | {granted} | {expected} | {(within ? "within" : "outside")} |");
            }
        }

        // Queued waiters with a burst of 1: every permit goes through the queue and a timer, so this is where a timer's lateness
        // would be lost from the rate. The window bound allows for the queued lateness (GcraRateLimiter.QueuedLateness).
        text.Append("\nQueued waiters, burst 1, 64 callers:\n\n| r | T | granted | share of r·T (target ≥ 99 %) | busiest 100 ms (bound 1 + r·(0.1 s + 20 ms)) | busiest 1 s (bound 1 + r·(1 s + 20 ms)) |\n|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (rate, priorities) in new[] { (100.0, false), (1_000, false), (10_000, false), (10_000, true) })
        {
            var seconds = quick ? 2 : 10;
            using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = 1 });
            var grants = new long[(int)(rate * seconds * 2) + 1024];
            var granted = await CountAsync(limiter, TimeSpan.FromSeconds(seconds), grants, priorities).ConfigureAwait(false);
            var times = grants.Take((int)Math.Min(granted, grants.Length)).Order().ToArray();
            var lateness = GcraRateLimiter.QueuedLateness.TotalSeconds;
            var name = priorities ? $"{rate:0}/s, half the callers High, half Low" : $"{rate:0}/s";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {seconds} s | {granted} | {granted / (rate * seconds):0.0 %} | {Busiest(times, 0.1)} ({1 + (rate * (0.1 + lateness)):0}) | {Busiest(times, 1)} ({1 + (rate * (1 + lateness)):0}) |");
        }

        return text.ToString();
    }

    /// <summary>The most grants in any window of <paramref name="seconds"/>, from sorted <see cref="Stopwatch"/> timestamps.</summary>
    private static int Busiest(long[] times, double seconds)
    {
        var width = (long)(seconds * Stopwatch.Frequency);
        var best = 0;
        for (int from = 0, to = 0; to < times.Length; to++)
        {
            while (times[to] - times[from] >= width)
            {
                from++;
            }

            best = Math.Max(best, to - from + 1);
        }

        return best;
    }

    private static async Task<long> CountAsync(RateLimiter limiter, TimeSpan duration, long[]? grantTimes = null, bool priorities = false)
    {
        using var stop = new CancellationTokenSource(duration);
        long granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(caller => Task.Run(async () =>
        {
            using var scope = priorities ? PriorityScope.Enter(new RequestPriority(caller % 2 == 0 ? ThrottlePriority.High : ThrottlePriority.Low)) : null;
            try
            {
                while (true)
                {
                    using var lease = await limiter.AcquireAsync(1, stop.Token).ConfigureAwait(false);
                    if (lease.IsAcquired && !stop.IsCancellationRequested)
                    {
                        var index = Interlocked.Increment(ref granted) - 1;
                        if (grantTimes is not null && index < grantTimes.Length)
                        {
                            grantTimes[index] = Stopwatch.GetTimestamp();
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }))).ConfigureAwait(false);
        return granted;
    }
}
