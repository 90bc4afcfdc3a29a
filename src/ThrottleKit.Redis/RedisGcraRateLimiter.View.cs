using System.Threading;

namespace ThrottleKit.Redis;

/// <summary>
/// What this process last saw of the bucket: the statistics read it, and a bucket Redis lost is rebuilt from it
/// (RedisGcraScript's remarks say how).
/// </summary>
public sealed partial class RedisGcraRateLimiter
{
    /// <summary>
    /// What the bucket held at Redis's newest answer to this process: its <c>tat</c> and the time it answered (µs, on the
    /// bucket's clock), its rate and burst, when the answer was read (local timestamp), and how many outages the circuit had
    /// had by then: turns reserved before an outage were given up when it began, so such a view's debt is not carried.
    /// </summary>
    private sealed record BucketView(double Tat, double Now, double Rate, int Burst, long Timestamp, long Outages);

    private void Keep(BucketView answer)
    {
        var kept = Volatile.Read(ref _view);
        while (kept is null || answer.Now > kept.Now || (answer.Now == kept.Now && answer.Tat > kept.Tat))
        {
            var found = Interlocked.CompareExchange(ref _view, answer, kept);
            if (ReferenceEquals(found, kept))
            {
                return;
            }

            kept = found;
        }
    }
}
