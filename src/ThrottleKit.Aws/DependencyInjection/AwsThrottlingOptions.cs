using System;
using System.Collections.Generic;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>
/// Settings of <see cref="ThrottledAwsClientsServiceCollectionExtensions.AddThrottledAwsClients(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{AwsThrottlingOptions}?)"/>:
/// one entry per service key. Bindable from configuration, e.g. <c>"ThrottleKit": { "Services": { "SES": { "RateLimit": { "PermitsPerSecond": 50 } } } }</c>.
/// </summary>
public sealed class AwsThrottlingOptions
{
    /// <summary>
    /// Gets the services, keyed by service key (case-insensitive). Defaults: <c>SES</c> (service ids <c>SES</c>, <c>SESv2</c>;
    /// 14 recipients per second, the usual first production quota) and <c>ConnectCampaigns</c> (service ids <c>ConnectCampaigns</c>,
    /// <c>ConnectCampaignsV2</c>; 5 calls per second), each with a 10 ms … 5 s backoff, 10 retries and a
    /// <see cref="DefaultJitterAllowance"/> of 25 ms.
    /// </summary>
    public IDictionary<string, AwsServiceThrottlingOptions> Services { get; } = new Dictionary<string, AwsServiceThrottlingOptions>(StringComparer.OrdinalIgnoreCase)
    {
        [AwsServiceKeys.SimpleEmail] = CreateDefault(14, "SES", "SESv2"),
        [AwsServiceKeys.ConnectCampaigns] = CreateDefault(5, "ConnectCampaigns", "ConnectCampaignsV2"),
    };

    /// <summary>Puts the clients whose <c>ClientConfig.ServiceId</c> is <paramref name="serviceId"/> under the service <paramref name="serviceKey"/>.</summary>
    /// <param name="serviceId">The SDK service id, e.g. <c>SESv2</c>.</param>
    /// <param name="serviceKey">A key of <see cref="Services"/>.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="serviceKey"/> is not a configured service.</exception>
    public AwsThrottlingOptions MapServiceId(string serviceId, string serviceKey)
    {
        if (string.IsNullOrEmpty(serviceId))
        {
            throw new ArgumentException("A service id is required.", nameof(serviceId));
        }

        if (serviceKey is null || !Services.TryGetValue(serviceKey, out var service))
        {
            throw new ArgumentException($"No service '{serviceKey}' is configured; add it to {nameof(Services)} first.", nameof(serviceKey));
        }

        service.ServiceIds.Add(serviceId);
        return this;
    }

    /// <summary>
    /// The default <see cref="RateLimiting.TokenBucketRateLimiterOptions.JitterAllowance"/> of the built-in services: requests
    /// to AWS vary in transit time, and at a rate equal to the quota a request that travels faster than the one before it
    /// would otherwise be throttled. 25 ms covers the variation within a region (10 ms sufficed on loopback, where 0 ms
    /// still let about one request in 150 through early).
    /// </summary>
    public static readonly TimeSpan DefaultJitterAllowance = TimeSpan.FromMilliseconds(25);

    private static AwsServiceThrottlingOptions CreateDefault(double permitsPerSecond, params string[] serviceIds)
    {
        var options = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = permitsPerSecond, JitterAllowance = DefaultJitterAllowance } };
        foreach (var serviceId in serviceIds)
        {
            options.ServiceIds.Add(serviceId);
        }

        return options;
    }
}
