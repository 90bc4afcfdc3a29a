using System;
using System.Threading;
using System.Threading.RateLimiting;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// What a call is throttled against: the limiter its attempts take their permits from (told how each went, when it is an
/// <see cref="IRateFeedback"/>), the 24-hour quota it counts against, and where it reports. A strategy has one of its own
/// from its options; one that serves many buckets (one per tenant, or per AWS account and Region) picks a call's bucket with
/// <see cref="ThrottlingStrategyOptions.BucketSelector"/>.
/// </summary>
public sealed class ThrottlingBucket
{
    private const long NotPaused = long.MinValue;
    private long _pausedUntil = NotPaused;

    /// <summary>Creates a bucket.</summary>
    /// <param name="rateLimiter">Where each attempt takes its permits. Not disposed by the bucket.</param>
    /// <param name="dailyQuota">The 24-hour quota each call counts against; none when <see langword="null"/>. Not disposed by the bucket.</param>
    /// <param name="telemetry">Where throttling through the bucket reports; nowhere when <see langword="null"/>.</param>
    /// <exception cref="System.ArgumentNullException"><paramref name="rateLimiter"/> is null.</exception>
    public ThrottlingBucket(RateLimiter rateLimiter, AccountQuotaMonitor? dailyQuota = null, ThrottleKitTelemetry? telemetry = null)
    {
        RateLimiter = Guard.NotNull(rateLimiter);
        Feedback = rateLimiter as IRateFeedback;
        DailyQuota = dailyQuota;
        Telemetry = telemetry ?? ThrottleKitTelemetry.Silent;
    }

    /// <summary>Gets where each attempt takes its permits.</summary>
    public RateLimiter RateLimiter { get; }

    /// <summary>Gets the 24-hour quota each call counts against, if any.</summary>
    public AccountQuotaMonitor? DailyQuota { get; }

    /// <summary>Gets where throttling through the bucket reports.</summary>
    public ThrottleKitTelemetry Telemetry { get; }

    internal IRateFeedback? Feedback { get; }

    /// <summary>
    /// Holds back every call through the bucket for <paramref name="wait"/>: a service that answered "retry after" meant its
    /// quota, not one caller. A longer pause already in force stays. The bucket's limiter is paused too when it can be
    /// (<see cref="IPausableRateLimiter"/>).
    /// </summary>
    internal void PauseFor(TimeSpan wait, TimeProvider time)
    {
        // A limiter that can pause keeps the callers queued meanwhile in its queue: had they taken their permits, they would
        // all spend them at the moment the pause ends, a burst the service answers with more throttles and another pause.
        (RateLimiter as IPausableRateLimiter)?.Pause(wait);

        var until = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        long seen;
        do
        {
            seen = Interlocked.Read(ref _pausedUntil);
            if (seen != NotPaused && seen >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntil, until, seen) != seen);
    }

    /// <summary>How long the pause in force has left; zero when there is none.</summary>
    internal TimeSpan PauseLeft(TimeProvider time)
    {
        var until = Interlocked.Read(ref _pausedUntil);
        if (until == NotPaused)
        {
            return TimeSpan.Zero;
        }

        var left = until - time.GetTimestamp();
        return left > 0 ? TimeSpan.FromSeconds(left / (double)time.TimestampFrequency) : TimeSpan.Zero;
    }
}
