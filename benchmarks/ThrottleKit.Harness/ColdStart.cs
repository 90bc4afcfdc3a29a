using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>
/// A fresh process at rate = quota: JIT, first connections and all, no warm-up. Each run starts a new process against a new
/// emulated quota (full, as a service's bucket is after a quiet spell) and counts the throttled answers of its first seconds,
/// with the AWS default (the bucket starts empty) and with a bucket that starts full, to show what the default buys.
/// </summary>
public static class ColdStart
{
    private const double Quota = 50;
    private const int Senders = 64;

    /// <summary>Runs <paramref name="processes"/> fresh processes per way of starting, <paramref name="duration"/> each; returns the table.</summary>
    /// <param name="processes">Fresh processes per row.</param>
    /// <param name="duration">How long each sends.</param>
    /// <param name="log">Progress.</param>
    /// <returns>The markdown table.</returns>
    public static async Task<string> RunAsync(int processes, TimeSpan duration, Action<string> log)
    {
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Q = {Quota}/s (burst {Quota}), limiter at Q, {Senders} senders, {duration.TotalSeconds:0} s from the process's first call, {processes} fresh processes per row.")
            .AppendLine()
            .AppendLine("| bucket starts | throttled attempts, per process | first throttled answer at | accepted per process |")
            .AppendLine("|---|---|---|---|");
        foreach (var startEmpty in new[] { true, false })
        {
            var throttled = new List<int>();
            var firstThrottle = new List<string>();
            var accepted = new List<int>();
            for (var i = 0; i < processes; i++)
            {
                await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = Quota, Burst = Quota }).ConfigureAwait(false);
                await RunWorkerAsync(emulator, duration, startEmpty).ConfigureAwait(false);
                var attempts = emulator.Attempts;
                var first = attempts.Count == 0 ? TimeSpan.Zero : attempts.Min(a => a.At);
                var refused = attempts.Where(a => a.Outcome == EmulatorOutcome.Throttled).ToList();
                throttled.Add(refused.Count);
                accepted.Add(attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
                firstThrottle.Add(refused.Count == 0 ? "–" : $"{(refused.Min(a => a.At) - first).TotalMilliseconds:0} ms");
                log($"{(startEmpty ? "empty" : "full")} #{i + 1}: {refused.Count} throttled, {accepted[^1]} accepted; {emulator.Describe()}");
            }

            table.AppendLine(CultureInfo.InvariantCulture, $"| {(startEmpty ? "empty (AWS default)" : "full")} | {string.Join(", ", throttled)} | {string.Join(", ", firstThrottle)} | {accepted.Average():0} |");
        }

        return table.ToString();
    }

    /// <summary>The fresh process: <c>cold-worker ENDPOINT RATE SECONDS SENDERS START_EMPTY</c>; sends from its first call on.</summary>
    /// <param name="args">The arguments after <c>cold-worker</c>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunWorkerAsync(string[] args)
    {
        var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
        var senders = int.Parse(args[3], CultureInfo.InvariantCulture);
        var startEmpty = bool.Parse(args[4]);
        var services = new ServiceCollection();
        services.AddThrottledSes(args[0], ses =>
        {
            ses.RateLimit.PermitsPerSecond = rate;
            ses.RateLimit.StartEmpty = startEmpty;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
        var (_, failed, _) = await FlatOut.SendAsync(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()), senders, duration).ConfigureAwait(false);
        return failed == 0 ? 0 : 1;
    }

    private static Task RunWorkerAsync(SesEmulator emulator, TimeSpan duration, bool startEmpty)
        => ChildProcess.RunAsync(
            typeof(ColdStart).Assembly.Location,
            ["cold-worker", emulator.Endpoint.ToString(), Quota.ToString(CultureInfo.InvariantCulture), duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), Senders.ToString(CultureInfo.InvariantCulture), startEmpty.ToString()],
            "A cold-start worker");
}
