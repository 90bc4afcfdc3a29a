using System.Threading.RateLimiting;
using Polly;

namespace ThrottleKit;

/// <summary>
/// What one call is throttled against: its limiter (and that limiter's feedback, when adaptive), its account quota and where it
/// reports. A pipeline takes it from its options; a pipeline that serves many buckets (one per AWS account and Region) takes
/// it from the call's context, so that an idle bucket is a limiter and nothing more.
/// </summary>
internal sealed class ThrottlingTarget(RateLimiter limiter, AccountQuotaMonitor? accountQuota, ThrottleKitTelemetry telemetry)
{
    /// <summary>Gets the key under which a call carries the target it is throttled against, in place of the pipeline's own.</summary>
    public static ResiliencePropertyKey<ThrottlingTarget> Key { get; } = new("ThrottleKit.Target");

    public RateLimiter Limiter { get; } = limiter;

    public IRateFeedback? Feedback { get; } = limiter as IRateFeedback;

    public AccountQuotaMonitor? AccountQuota { get; } = accountQuota;

    public ThrottleKitTelemetry Telemetry { get; } = telemetry;
}
