using System;
using System.Collections.Generic;
using ThrottleKit.Adaptive;
using ThrottleKit.Backoff;
using ThrottleKit.Internal;
using ThrottleKit.RateLimiting;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>The quota and retry schedule of one AWS service, and the SDK clients it covers. Bindable from configuration.</summary>
public sealed class AwsServiceThrottlingOptions
{
    /// <summary>
    /// Gets the SDK service ids (<c>ClientConfig.ServiceId</c>, e.g. <c>SES</c>, <c>STS</c>, <c>SSM</c>) of the clients this
    /// service's limits apply to. Configuration adds to the defaults.
    /// </summary>
    public IList<string> ServiceIds { get; } = new List<string>();

    /// <summary>Gets or sets the service's shared rate limit; every client and executor of the service draws from it.</summary>
    public TokenBucketRateLimiterOptions RateLimit { get; set; } = new();

    /// <summary>
    /// Gets or sets whether and how the service's rate follows the throttles the service answers (off by default). When on,
    /// <see cref="RateLimit"/>'s rate is where it starts.
    /// </summary>
    public AdaptiveRateOptions Adaptive { get; set; } = new();

    /// <summary>Gets or sets the retry schedule for throttled calls. Default 10 ms … 5 s, 10 retries.</summary>
    public ExponentialBackoffOptions Backoff { get; set; } = new();

    /// <summary>
    /// Gets per-operation rate limits, keyed by operation name (<c>GetSendQuota</c>, <c>PutDialRequestBatch</c> …). An operation
    /// listed here has a bucket of its own instead of the service's.
    /// </summary>
    public IDictionary<string, TokenBucketRateLimiterOptions> Operations { get; } = new Dictionary<string, TokenBucketRateLimiterOptions>(StringComparer.Ordinal);

    // A field, not a property: configuration binding must never walk into code.
    private AwsThrottlingRules? _rules;

    /// <summary>
    /// Sets the rules (classifier, cost, which operations spend the rate). Without them, the rules of the service's key
    /// apply: <see cref="AwsThrottlingRules.SimpleEmail"/> for <c>SES</c>, <see cref="AwsThrottlingRules.ConnectCampaigns"/>
    /// for <c>ConnectCampaigns</c>; a key of your own must set them. Code, not configuration: a method, so binding skips it.
    /// </summary>
    /// <param name="rules">The rules.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is <see langword="null"/>.</exception>
    public AwsServiceThrottlingOptions UseRules(AwsThrottlingRules rules)
    {
        _rules = Guard.NotNull(rules, nameof(rules));
        return this;
    }

    /// <summary>The rules set by <see cref="UseRules"/>, or <see langword="null"/> for the service key's built-in rules.</summary>
    internal AwsThrottlingRules? GetRules() => _rules;
}
