using System;
using System.Threading.Tasks;
using System.Threading.RateLimiting;
using Polly;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// Settings of the throttling strategy (<c>AddThrottling</c>): every attempt first takes its permits from
/// <see cref="RateLimiter"/>, a throttle (as <see cref="Classifier"/> calls it) is retried after <see cref="Backoff"/>, and
/// every other failure surfaces unchanged. The strategy reads them when the pipeline is built.
/// </summary>
[RateLimiterOrSelector]
public class ThrottlingStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates options with the default name <c>Throttling</c> and the default backoff (10 ms … 5 s, 10 retries).</summary>
    public ThrottlingStrategyOptions() => Name = "Throttling";

    /// <summary>
    /// Gets or sets where each attempt takes its permits: a <see cref="GcraRateLimiter"/>, a distributed one, an
    /// <see cref="AdaptiveRateLimiter"/>, or any of <c>System.Threading.RateLimiting</c>'s. Required. Shared limiters are not
    /// disposed by the pipeline. A limiter that implements <see cref="IRateFeedback"/> is told how each attempt went.
    /// Required unless <see cref="BucketSelector"/> is set.
    /// </summary>
    public RateLimiter? RateLimiter { get; set; }

    /// <summary>
    /// Gets or sets how each call picks the bucket it is throttled against (its limiter, 24-hour quota and telemetry), e.g.
    /// by a tenant or an account in its context's properties: one pipeline then serves many buckets, and each bucket is its
    /// limiter and little more. Answering <see langword="null"/> means the options' own bucket (<see cref="RateLimiter"/>,
    /// <see cref="DailyQuota"/>, <see cref="Telemetry"/>); a call that gets none fails with
    /// <see cref="System.InvalidOperationException"/>, unsent. Called once per call, before its first attempt. Default none.
    /// </summary>
    public Func<ThrottlingBucketArguments, ThrottlingBucket?>? BucketSelector { get; set; }

    /// <summary>Gets or sets what decides which failures are throttles. Required.</summary>
    [RequiredSetting]
    public IThrottlingClassifier? Classifier { get; set; }

    /// <summary>
    /// Gets or sets what decides whether a result an attempt returned (rather than threw) is a throttle — a <c>429</c>
    /// response, say (<see cref="HttpThrottling.ClassifyResult"/>). A throttled result is retried like a throttled exception,
    /// counted by the adaptive rate and the telemetry, and disposed when it is retried; when retries run out, the last one is
    /// returned. Default none: every result is the caller's.
    /// </summary>
    public Func<ThrottlingResultArguments, ResultThrottle>? ResultClassifier { get; set; }

    /// <summary>
    /// Gets or sets how long a thrown throttle asked callers to wait, where the exception carries it (an AWS error's
    /// <c>x-amz-retry-after</c>, say); honoured as a result's <see cref="ResultThrottle.RetryAfter"/> is, up to
    /// <see cref="MaxRetryAfter"/>. One that throws counts as saying nothing. Default none.
    /// </summary>
    public Func<Exception, TimeSpan?>? RetryAfter { get; set; }

    /// <summary>
    /// Gets or sets the longest <c>Retry-After</c> honoured. A throttle that says how long to wait is retried no sooner than
    /// that (nor sooner than the backoff says), and every call through its bucket waits as long before it is sent: a
    /// service that says "not before t" means the whole quota. Longer asks are cut to this. Default 30 s; zero ignores them.
    /// </summary>
    [DurationRange]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets what runs each time a throttled attempt is about to be retried, before the wait, as Polly's retry has
    /// <c>OnRetry</c>: to count or log throttles an app's own way, without a telemetry listener. An exception it throws
    /// ends the call with that exception. Default none.
    /// </summary>
    public Func<OnThrottleArguments, ValueTask>? OnThrottle { get; set; }

    /// <summary>Gets or sets the retry schedule for throttled attempts. Default 10 ms … 5 s, 10 retries, no jitter.</summary>
    [RequiredSetting]
    [ValidateNested]
    public ExponentialBackoffOptions Backoff { get; set; } = new();

    /// <summary>
    /// Gets or sets the account's 24-hour quota to enforce: when set, each call is counted against it and refused with
    /// <see cref="DailyQuotaExceededException"/>, unsent, once it is spent. Not disposed by the pipeline. Default none.
    /// </summary>
    public AccountQuotaMonitor? DailyQuota { get; set; }

    /// <summary>
    /// Gets or sets where ThrottleKit's own logs and metrics go (the <c>ThrottleKit</c> meter, tagged with the service), beside
    /// Polly's telemetry. Default nowhere.
    /// </summary>
    public ThrottleKitTelemetry? Telemetry { get; set; }
}
