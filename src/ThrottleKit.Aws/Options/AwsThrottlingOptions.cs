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
    public IDictionary<string, AwsServiceThrottlingOptions> Services { get; } = new Dictionary<string, AwsServiceThrottlingOptions>(StringComparer.OrdinalIgnoreCase)
    {
        [AwsServiceKeys.SimpleEmail] = CreateDefault(14, maxCost: 50, "SES", "SESv2"),
        [AwsServiceKeys.ConnectCampaigns] = CreateDefault(5, maxCost: 1_000_000, "ConnectCampaigns"),
        [AwsServiceKeys.ConnectCampaignsV2] = CreateDefault(5, maxCost: 1_000_000, "ConnectCampaignsV2"),
    };

    private static AwsServiceThrottlingOptions CreateDefault(double permitsPerSecond, int maxCost, params string[] serviceIds)
    {
        var options = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = permitsPerSecond }, MaxCost = maxCost };
        options.RateLimit.IsRateSet = false;   // ThrottleKit's guess: a rate read from the account is not capped by it
        foreach (var serviceId in serviceIds)
        {
            options.ServiceIds.Add(serviceId);
        }

        return options;
    }
}
