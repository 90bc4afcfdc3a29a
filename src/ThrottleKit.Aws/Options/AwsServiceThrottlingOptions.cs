using System;
using System.Collections.Generic;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>The quota and retry schedule of one AWS service, and the SDK clients it covers. Bindable from configuration.</summary>
public sealed class AwsServiceThrottlingOptions
{
    /// <summary>
    /// Gets the SDK service ids (<c>ClientConfig.ServiceId</c>, e.g. <c>SES</c>, <c>STS</c>, <c>SSM</c>) of the clients this
    /// service's limits apply to. Configuration adds to the defaults.
    /// </summary>
    public IList<string> ServiceIds { get; } = new List<string>();

    /// <summary>
    /// Gets or sets the service's rate: each account in each Region has a bucket of it, shared by every client and executor
    /// of the service in the container (through Redis, by every process).
    /// </summary>
    [RequiredSetting]
    [ValidateNested]
    public AwsRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Gets the service's rate in particular Regions (keyed by Region, e.g. <c>eu-west-1</c>), where it differs from <see cref="RateLimit"/>.</summary>
    [ValidateNested]
    public IDictionary<string, AwsRateLimitOptions> Regions { get; } = new Dictionary<string, AwsRateLimitOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Gets the operations with buckets of their own, keyed by operation name (<c>GetSendQuota</c>, <c>PutDialRequestBatch</c> …):
    /// such an operation takes its permits there instead of the service's rate, per account and Region too.
    /// </summary>
    [ValidateNested]
    public IDictionary<string, AwsRateLimitOptions> Operations { get; } = new Dictionary<string, AwsRateLimitOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether and how the service's rate follows the throttles the service answers (off by default). When on,
    /// <see cref="RateLimit"/>'s rate is where it starts.
    /// </summary>
    [RequiredSetting]
    [ValidateNested]
    public AdaptiveRateOptions Adaptive { get; set; } = new();

    /// <summary>Gets or sets the retry schedule for throttled calls. Default 10 ms … 5 s, 10 retries.</summary>
    [RequiredSetting]
    [ValidateNested]
    public ExponentialBackoffOptions Backoff { get; set; } = new();

    /// <summary>
    /// Gets or sets whether each bucket's rate (and 24-hour quota) is read from the account, in its Region, through the client
    /// whose call made the bucket: for SES by its own API (<c>GetSendQuota</c> on an SES v1 client, <c>GetAccount</c> on an
    /// SES v2 client), for any service by a reader given with <c>UseAccountQuota</c>. Until the first reading, and wherever
    /// none can be made (a keyed executor has no client; a read that fails is logged and retried on schedule), the configured
    /// rate applies; a rate you set yourself (<see cref="RateLimit"/>'s or a Region's) caps the reading. Default on.
    /// </summary>
    public bool ReadAccountQuota { get; set; } = true;

    /// <summary>
    /// Gets or sets how the account's quota is read (<see cref="ReadAccountQuota"/>): how often (default once a minute, at
    /// least once a second) and whether the 24-hour quota is enforced (default on).
    /// </summary>
    [RequiredSetting]
    [ValidateNested]
    public AccountQuotaOptions AccountQuota { get; set; } = new();

    /// <summary>
    /// Gets or sets the most permits one request may cost; a request that would cost more is refused before it is sent.
    /// Default 10⁶; for Amazon SES 50, the most recipients a message may have (SES itself refuses more), and no more may be set.
    /// </summary>
    [NumberRange(1, Limits.MaxPermits)]
    public int MaxCost { get; set; } = 1_000_000;

    /// <summary>
    /// Gets or sets how the priority and flow of a request made outside any <see cref="PriorityScope"/> are read from the
    /// request (<see cref="ThrottlePriority"/>). Default: none are, and such requests are <see cref="ThrottlePriority.Normal"/>.
    /// </summary>
    [RequiredSetting]
    public AwsPriorityOptions Priorities { get; set; } = new();
}
