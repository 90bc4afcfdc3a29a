using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ThrottleKit.Adaptive;
using ThrottleKit.Backoff;
using ThrottleKit.Internal;
using ThrottleKit.Quota;
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

    // Fields, not properties: configuration binding must never walk into code.
    private AwsThrottlingRules? _rules;
    private Func<IServiceProvider, CancellationToken, Task<AccountQuota>>? _accountQuotaSource;

    /// <summary>
    /// Gets or sets how the account's quota is read, once a source is set with <see cref="UseAccountQuota"/>: how often
    /// (default once a minute, at least once a second) and whether the 24-hour quota is enforced (default on).
    /// </summary>
    public AccountQuotaOptions AccountQuota { get; set; } = new();

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

    /// <summary>
    /// Reads the service's rate (and 24-hour quota) from the account, now and every <see cref="AccountQuotaOptions.RefreshInterval"/>,
    /// instead of trusting <see cref="RateLimit"/>'s rate, which applies until the first read succeeds. With the adaptive rate on,
    /// the account's rate is its ceiling. For SES, a source calls <c>GetSendQuota</c> and returns
    /// <c>new AccountQuota(q.MaxSendRate, q.Max24HourSend, q.SentLast24Hours)</c> (README has the recipe).
    /// </summary>
    /// <param name="source">Reads the quota; given the container and a token cancelled when the container is disposed.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public AwsServiceThrottlingOptions UseAccountQuota(Func<IServiceProvider, CancellationToken, Task<AccountQuota>> source)
    {
        _accountQuotaSource = Guard.NotNull(source, nameof(source));
        return this;
    }

    /// <summary>The source set by <see cref="UseAccountQuota"/>, or <see langword="null"/>.</summary>
    internal Func<IServiceProvider, CancellationToken, Task<AccountQuota>>? GetAccountQuotaSource() => _accountQuotaSource;

    /// <summary>The rules set by <see cref="UseRules"/>, or <see langword="null"/> for the service key's built-in rules.</summary>
    internal AwsThrottlingRules? GetRules() => _rules;
}
