using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>
/// One quota, urgent and bulk mail at once (issue 29), through the AWS client path an app holds: an SES-like emulator at
/// Q = 20/s, a client under <c>AddThrottledAwsClients</c> at rate = quota, a thousand bulk callers keeping a thousand sends
/// queued, and transactional sends arriving at 2/s, each made inside a <see cref="PriorityScope"/> (or not, for the
/// first-in-first-out row). Then three tenants of one priority at weights 1:1:2, one of which stops.
/// </summary>
internal static class PriorityHarness
{
    private const double Quota = 20;

    public static async Task<string> RunAsync(bool quick, Action<string>? log = null)
    {
        var seconds = quick ? 8 : 60;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Q = {Quota}/s, burst {Quota}; 1,000 bulk callers always waiting; {seconds} s per row, the first 2 s left out.");
        text.AppendLine();
        text.AppendLine("| row | transactional sends | wait p50 | wait p99 | wait max | bulk accepted/s | goodput (accepted / Q) | throttled attempts |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, priorities, transactionalRate) in new[]
        {
            ("first in, first out (no priority)", false, 2.0),
            ("priorities: transactional High, bulk Low", true, 2.0),
            ("priorities, transactional flooding at 2·Q", true, 2 * Quota),
        })
        {
            var row = await MixAsync(priorities, transactionalRate, TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            var line = $"| {name} | {row.Sent} | {Ms(row.P50)} | {Ms(row.P99)} | {Ms(row.Max)} | {row.BulkPerSecond:0.00} | {row.Goodput:0.000} | {row.Throttled} |";
            log?.Invoke(line);
            text.AppendLine(line);
        }

        text.AppendLine();
        text.AppendLine(await TenantsAsync(quick, log).ConfigureAwait(false));
        return text.ToString();
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private sealed record MixRow(int Sent, TimeSpan P50, TimeSpan P99, TimeSpan Max, double BulkPerSecond, double Goodput, int Throttled);

    private static async Task<MixRow> MixAsync(bool priorities, double transactionalRate, TimeSpan duration)
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = Quota, Burst = (int)Quota }).ConfigureAwait(false);
        var services = new ServiceCollection();
        services.AddThrottledSes(emulator.Endpoint.ToString(), ses =>
        {
            ses.RateLimit.PermitsPerSecond = Quota;
            ses.RateLimit.Burst = (int)Quota;
            ses.Adaptive.Enabled = false;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var bulkAccepted = new ConcurrentQueue<TimeSpan>();

        var bulk = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            using var scope = priorities ? PriorityScope.Enter(new RequestPriority(ThrottlePriority.Low)) : null;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), stop.Token).ConfigureAwait(false);
                    bulkAccepted.Enqueue(clock.Elapsed);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }
        })).ToArray();

        // Transactional sends arrive on a schedule, whatever the queue holds, as users press "reset my password".
        var waits = new ConcurrentQueue<(TimeSpan At, TimeSpan Wait)>();
        var transactional = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / transactionalRate);
        for (var next = TimeSpan.FromSeconds(1); next < duration; next += interval)
        {
            var due = next - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due).ConfigureAwait(false);
            }

            transactional.Add(Task.Run(async () =>
            {
                using var scope = priorities ? PriorityScope.Enter(new RequestPriority(ThrottlePriority.High)) : null;
                var start = clock.Elapsed;
                await client.GetCallerIdentityAsync(new GetCallerIdentityRequest()).ConfigureAwait(false);
                waits.Enqueue((start, clock.Elapsed - start));
            }));
        }

        if (duration - clock.Elapsed is var left && left > TimeSpan.Zero)
        {
            await Task.Delay(left).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(bulk).ConfigureAwait(false);
        await Task.WhenAll(transactional).ConfigureAwait(false);

        var from = TimeSpan.FromSeconds(2);
        var steady = duration - from;
        var counted = waits.Where(w => w.At >= from).Select(w => w.Wait).Order().ToArray();
        // Goodput on this run's clock, by when each call came back accepted (the emulator's clock starts at its own start).
        var attempts = emulator.Attempts;
        var accepted = bulkAccepted.Count(t => t >= from && t < duration) + waits.Count(w => w.At + w.Wait >= from && w.At + w.Wait < duration);
        return new MixRow(
            counted.Length,
            Percentile(counted, 0.50),
            Percentile(counted, 0.99),
            counted.Length == 0 ? TimeSpan.Zero : counted[^1],
            bulkAccepted.Count(t => t >= from && t < duration) / steady.TotalSeconds,
            accepted / (Quota * steady.TotalSeconds),
            attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled));
    }

    private static async Task<string> TenantsAsync(bool quick, Action<string>? log)
    {
        // One limiter, three tenants of the Low priority at weights 1:1:2, three hundred callers each; c stops halfway.
        var seconds = quick ? 10 : 20;
        var rate = 100.0;
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = rate, Burst = 1 });
        var tenants = new[] { (Name: "a", Weight: 1.0), (Name: "b", Weight: 1.0), (Name: "c", Weight: 2.0) };
        var grants = new ConcurrentQueue<(string Tenant, TimeSpan At)>();
        using var stopAll = new CancellationTokenSource();
        using var stopC = new CancellationTokenSource();
        using var cOrAll = CancellationTokenSource.CreateLinkedTokenSource(stopAll.Token, stopC.Token);
        var clock = Stopwatch.StartNew();
        var callers = tenants.SelectMany(t => Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
        {
            var token = t.Name == "c" ? cOrAll.Token : stopAll.Token;
            using var scope = PriorityScope.Enter(new RequestPriority(ThrottlePriority.Low, t.Name, t.Weight));
            while (!token.IsCancellationRequested)
            {
                try
                {
                    using var lease = await limiter.AcquireAsync(1, token).ConfigureAwait(false);
                    grants.Enqueue((t.Name, clock.Elapsed));
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
            }
        }))).ToArray();

        var half = TimeSpan.FromSeconds(seconds / 2.0);
        await Task.Delay(half).ConfigureAwait(false);
        var stoppedAt = clock.Elapsed;
        await stopC.CancelAsync().ConfigureAwait(false);
        await Task.Delay(half).ConfigureAwait(false);
        await stopAll.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(callers).ConfigureAwait(false);

        var all = grants.ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Three tenants of one priority at weights 1:1:2, 300 callers each, one limiter at {rate}/s; c stops at {stoppedAt.TotalSeconds:0.0} s. Shares of what was granted in each window (target: within ±5 % of the share):");
        text.AppendLine();
        text.AppendLine("| window | granted | a (share 25 % / 50 %) | b (25 % / 50 %) | c (50 % / 0 %) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var windows = new List<(TimeSpan From, TimeSpan To)>();
        for (var from = TimeSpan.FromSeconds(1); from + TimeSpan.FromSeconds(quick ? 2 : 5) <= half; from += TimeSpan.FromSeconds(quick ? 2 : 5))
        {
            windows.Add((from, from + TimeSpan.FromSeconds(quick ? 2 : 5)));
        }

        for (var from = stoppedAt + TimeSpan.FromSeconds(1); from + TimeSpan.FromSeconds(quick ? 2 : 5) <= clock.Elapsed - TimeSpan.FromSeconds(0.5); from += TimeSpan.FromSeconds(quick ? 2 : 5))
        {
            windows.Add((from, from + TimeSpan.FromSeconds(quick ? 2 : 5)));
        }

        foreach (var (from, to) in windows)
        {
            var inWindow = all.Where(g => g.At >= from && g.At < to).ToArray();
            string Share(string tenant) => inWindow.Length == 0 ? "–" : $"{100.0 * inWindow.Count(g => g.Tenant == tenant) / inWindow.Length:0.0} %";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {from.TotalSeconds:0.0}–{to.TotalSeconds:0.0} s | {inWindow.Length} | {Share("a")} | {Share("b")} | {Share("c")} |");
        }

        // How soon after c stopped a and b each held half of what was granted, over 100 ms windows.
        var absorbed = TimeSpan.Zero;
        for (var from = stoppedAt; from < clock.Elapsed; from += TimeSpan.FromMilliseconds(100))
        {
            var inWindow = all.Where(g => g.At >= from && g.At < from + TimeSpan.FromMilliseconds(100)).ToArray();
            if (inWindow.Length > 0 && inWindow.All(g => g.Tenant != "c"))
            {
                absorbed = from + TimeSpan.FromMilliseconds(100) - stoppedAt;
                break;
            }
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"After c stopped, a and b shared everything granted within {absorbed.TotalMilliseconds:0} ms (target: 1 s).");
        log?.Invoke(text.ToString());
        return text.ToString();
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, double p)
        => sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
