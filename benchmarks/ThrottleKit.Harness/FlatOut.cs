using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Harness;

/// <summary>Senders that call as fast as they can for a while, as a busy app does: each call starts when the last one ends.</summary>
public static class FlatOut
{
    /// <summary>Runs <paramref name="senders"/> concurrent senders of <paramref name="call"/> for <paramref name="duration"/>.</summary>
    /// <param name="call">One call; an exception counts as a failed call.</param>
    /// <param name="senders">How many send at once.</param>
    /// <param name="duration">How long they start new calls.</param>
    /// <returns>Calls made, calls failed, and every call's latency in milliseconds.</returns>
    public static async Task<(long Calls, long Failed, double[] LatenciesMs)> SendAsync(Func<Task> call, int senders, TimeSpan duration)
    {
        long calls = 0, failed = 0;
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var began = clock.Elapsed;
                try
                {
                    await call().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failed);
                }

                latencies.Add((clock.Elapsed - began).TotalMilliseconds);
                Interlocked.Increment(ref calls);
            }
        }))).ConfigureAwait(false);
        return (calls, failed, [.. latencies]);
    }
}
