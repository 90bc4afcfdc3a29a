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
}
