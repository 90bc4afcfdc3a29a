using System;
using System.Collections.Generic;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// Settings of <c>AddThrottledAwsClients</c>: one entry per service key. Bindable from configuration, e.g.
/// <c>"ThrottleKit": { "Services": { "SES": { "RateLimit": { "PermitsPerSecond": 50 } } } }</c>; a key that names no setting
/// fails validation at start.
/// </summary>
public sealed class AwsThrottlingOptions
{
    /// <summary>
    /// Gets the services, keyed by service key (case-insensitive). Defaults: <c>SES</c> (service ids <c>SES</c>, <c>SESv2</c>;
    /// 14 recipients per second, the usual first production quota; at most 50 recipients a message), <c>ConnectCampaigns</c>
    /// (service id <c>ConnectCampaigns</c>; 5 calls per second) and <c>ConnectCampaignsV2</c> (service id <c>ConnectCampaignsV2</c>;
    /// 5 calls per second), each with a 10 ms … 5 s backoff, 10 retries and a 25 ms jitter allowance.
    /// </summary>
    [ValidateNested]
    public IDictionary<string, AwsServiceThrottlingOptions> Services { get; } = CreateDefaults();

    /// <summary>
    /// Gets or sets the AWS account (12 digits) that the app's credentials belong to, for credentials that do not say so
    /// themselves. AWS sets quotas per account and Region, so a bucket is an account's: the account comes from the
    /// credentials' own <c>AccountId</c> when they carry one (web identity and container credentials, profiles with
    /// <c>aws_account_id</c>, <c>AWS_ACCOUNT_ID</c>, credentials built with an account id); otherwise from this setting;
    /// otherwise calls share the Region's one bucket for the service (account <c>*</c>), which renewed or per-host keys of
    /// one account keep, and which several accounts whose credentials name none would share. Default: the
    /// <c>AWS_ACCOUNT_ID</c> environment variable, if set.
    /// </summary>
    [AccountIdSetting]
    public string? AccountId { get; set; } = Environment.GetEnvironmentVariable("AWS_ACCOUNT_ID") is { Length: > 0 } account ? account : null;

    /// <summary>
    /// Gets or sets the Region whose buckets the keyed executors (<c>[FromKeyedServices("SES")] IThrottledExecutor</c>) spend:
    /// their calls name no Region, and share the service's rate with the container's clients in this one. Default: the
    /// <c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c> environment variable, as the SDK's; when none, the executors spend a
    /// bucket of their own (Region <c>*</c>).
    /// </summary>
    public string? Region { get; set; } = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region
        ? region
        : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } fallback ? fallback : null;

    /// <summary>
    /// Gets or sets how long a bucket may go unused before it is let go (a new one starts empty if calls come again): an app
    /// that has run through many accounts or Regions keeps only the buckets in use. One timer a service checks for them every
    /// half of this time (every half second at least), so a bucket goes between one and one and a half times this after its
    /// last use; a bucket in Redis expires by <c>KeyExpiry</c>. Default ten minutes; at least one second.
    /// </summary>
    [DurationRange(minimum: "00:00:01")]
    public TimeSpan IdleBucketTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Every service ThrottleKit knows, with its defaults.</summary>
    private static Dictionary<string, AwsServiceThrottlingOptions> CreateDefaults()
    {
        var services = new Dictionary<string, AwsServiceThrottlingOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var definition in AwsServiceCatalog.All)
        {
            var options = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = definition.DefaultPermitsPerSecond }, MaxCost = definition.DefaultMaxCost };
            options.RateLimit.IsRateSet = false;   // ThrottleKit's guess: a rate read from the account is not capped by it
            foreach (var serviceId in definition.ServiceIds)
            {
                options.ServiceIds.Add(serviceId);
            }

            services[definition.Key] = options;
        }

        return services;
    }
}
