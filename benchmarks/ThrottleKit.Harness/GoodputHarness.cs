using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ThrottleKit.Aws;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>Runs each strategy against a fresh emulator with the same quota and the same crowd of senders, one after another.</summary>
public static class GoodputHarness
{
    /// <summary>Runs the strategies.</summary>
    /// <param name="options">The quota, senders and duration.</param>
    /// <param name="strategies">The strategies, in report order.</param>
    /// <param name="log">Progress lines; none when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>One result per strategy.</returns>
    public static async Task<IReadOnlyList<GoodputResult>> RunAsync(GoodputOptions options, IEnumerable<SenderStrategy> strategies, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<GoodputResult>();
        foreach (var strategy in strategies)
        {
            results.Add(await RunOneAsync(options, strategy, cancellationToken).ConfigureAwait(false));
            var last = results[^1];
            log?.Invoke($"{last.Strategy}: goodput {last.Goodput:P1} of Q, {last.ThrottledPercent:0.0}% throttled attempts, {last.FailedCalls} failed of {last.Calls}");
        }

        return results;
    }

    private static async Task<GoodputResult> RunOneAsync(GoodputOptions options, SenderStrategy strategy, CancellationToken cancellationToken)
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = options.Quota, Burst = options.Burst }, cancellationToken).ConfigureAwait(false);
        await using var sender = strategy.Connect(emulator, options);
        var latencies = new ConcurrentBag<double>();
        var failed = 0;
        var unfinished = 0;
        var start = emulator.Elapsed;
        var clock = Stopwatch.StartNew();

        // No call starts after the duration; calls still running a grace period later are cut off and counted apart.
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(options.Duration + options.Grace);
        var samples = new List<RateSample>();
        var sampling = Task.Run(
            async () =>
        {
            var changes = new Queue<QuotaChange>(options.QuotaChanges.OrderBy(c => c.At));
            while (clock.Elapsed < options.Duration && !hardStop.IsCancellationRequested)
            {
                while (changes.Count > 0 && clock.Elapsed >= changes.Peek().At)
                {
                    var change = changes.Dequeue();
                    emulator.ChangeQuota(change.Quota, change.Burst);
                }

                if (sender.CurrentRate is { } rate)
                {
                    samples.Add(new RateSample(clock.Elapsed.TotalSeconds, rate));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None).ConfigureAwait(false);
            }
        },
            CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, options.Senders).Select(_ => Task.Run(
            async () =>
            {
                while (clock.Elapsed < options.Duration && !cancellationToken.IsCancellationRequested)
                {
                    var began = clock.Elapsed;
                    try
                    {
                        await sender.SendAsync(hardStop.Token).ConfigureAwait(false);
                        latencies.Add((clock.Elapsed - began).TotalMilliseconds);
                    }
                    catch (Exception) when (hardStop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref unfinished);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                        latencies.Add((clock.Elapsed - began).TotalMilliseconds);
                    }
                }
            },
            CancellationToken.None))).ConfigureAwait(false);
        await sampling.ConfigureAwait(false);

        var attempts = emulator.Attempts;

        // Counted by when the emulator decided, on its clock, over the interval the senders ran, the first second (the
        // initial burst) left out.
        var steadyFrom = start + TimeSpan.FromSeconds(1);
        var steadyTo = start + options.Duration;
        var steadyAccepted = attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted && a.DecidedAt >= steadyFrom && a.DecidedAt < steadyTo);
        var goodput = steadyAccepted / QuotaOver(options, TimeSpan.FromSeconds(1), options.Duration);
        var throttled = attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled);
        var sorted = latencies.Order().ToArray();
        var perSecond = PerSecond(attempts, start, options.Duration + options.Grace);

        return new GoodputResult(
            strategy.Name,
            goodput,
            attempts.Count == 0 ? 0 : 100.0 * throttled / attempts.Count,
            sorted.Length + unfinished,
            failed,
            unfinished,
            attempts.Count,
            TimeSpan.FromMilliseconds(Percentile(sorted, 0.50)),
            TimeSpan.FromMilliseconds(Percentile(sorted, 0.99)),
            perSecond,
            samples,
            [.. options.QuotaChanges.Select(change => Convergence(perSecond, change))],
            new RunEvidence(steadyFrom, steadyTo, emulator.SchedulingLag(start), emulator.ExcessLag(RealClock.StallThreshold(AwsRateLimitOptions.DefaultJitterAllowance), start), emulator.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1), start), emulator.Describe()));
    }

    /// <summary>What the quota allowed between two moments of the run (after the burst), following its changes.</summary>
    private static double QuotaOver(GoodputOptions options, TimeSpan from, TimeSpan to)
    {
        double total = 0;
        var step = TimeSpan.FromMilliseconds(10);
        for (var t = from; t < to; t += step)
        {
            var quota = options.QuotaChanges.Where(c => c.At <= t).OrderBy(c => c.At).LastOrDefault()?.Quota ?? options.Quota;
            total += quota * step.TotalSeconds;
        }

        return total;
    }

    /// <summary>Seconds from a quota change to the first whole second whose accepted count is within 5% of the new quota.</summary>
    private static double? Convergence(IReadOnlyList<SecondCounts> perSecond, QuotaChange change)
    {
        var first = perSecond.FirstOrDefault(s => s.Second >= change.At.TotalSeconds && Math.Abs(s.Accepted - change.Quota) <= 0.05 * change.Quota);
        return first == default ? null : first.Second + 1 - change.At.TotalSeconds;
    }

    /// <summary>Accepted and throttled attempts in each whole second after <paramref name="start"/> (emulator clock).</summary>
    internal static SecondCounts[] PerSecond(IReadOnlyList<EmulatorAttempt> attempts, TimeSpan start, TimeSpan length)
    {
        var counts = new SecondCounts[Math.Max(1, (int)Math.Ceiling(length.TotalSeconds))];
        for (var second = 0; second < counts.Length; second++)
        {
            counts[second] = new SecondCounts(second, 0, 0);
        }

        foreach (var attempt in attempts)
        {
            var second = (int)Math.Floor((attempt.At - start).TotalSeconds);
            if (second >= 0 && second < counts.Length)
            {
                var c = counts[second];
                counts[second] = attempt.Outcome == EmulatorOutcome.Accepted ? c with { Accepted = c.Accepted + 1 } : attempt.Outcome == EmulatorOutcome.Throttled ? c with { Throttled = c.Throttled + 1 } : c;
            }
        }

        return counts;
    }

    internal static double Percentile(double[] sorted, double quantile)
        => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
}
