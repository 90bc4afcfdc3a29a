using System;
using System.Threading;
using System.Threading.Tasks;
using ThrottleKit;
using ThrottleKit.Aws;
using ThrottleKit.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddThrottledAwsClients</c>: what configuration cannot say (which clients stand in for a service, rules
/// written in code, where the account's quota is read), and optional parts such as <c>UseRedis</c>.
/// </summary>
public sealed class ThrottledAwsClientsBuilder : IThrottleKitBuilder
{
    internal ThrottledAwsClientsBuilder(IServiceCollection services) => Services = services;

    /// <inheritdoc />
    public IServiceCollection Services { get; }

    /// <summary>
    /// Puts the clients whose <c>ClientConfig.ServiceId</c> is <paramref name="serviceId"/> under the service
    /// <paramref name="serviceKey"/>. Every operation of such a client spends the service's rate (a stand-in's operations
    /// are not the service's own, whose rules may leave some out), unless <see cref="AwsServiceThrottlingOptions.Operations"/>
    /// gives it a bucket of its own. The same as adding the id to the service's <see cref="AwsServiceThrottlingOptions.ServiceIds"/>.
    /// </summary>
    /// <param name="serviceId">The SDK service id, e.g. <c>STS</c> for a stand-in, or your own service's.</param>
    /// <param name="serviceKey">A key of <see cref="AwsThrottlingOptions.Services"/>, e.g. <see cref="AwsServiceKeys.SimpleEmail"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">An argument is null or empty.</exception>
    public ThrottledAwsClientsBuilder MapServiceId(string serviceId, string serviceKey)
    {
        RequireText(serviceId, nameof(serviceId));
        RequireText(serviceKey, nameof(serviceKey));
        Services.Configure<AwsThrottlingOptions>(options =>
        {
            if (!options.Services.TryGetValue(serviceKey, out var service))
            {
                options.Services[serviceKey] = service = new AwsServiceThrottlingOptions();
            }

            service.ServiceIds.Add(serviceId);
        });
        return this;
    }

    /// <summary>
    /// Sets the rules of a service (classifier, cost, which operations spend its rate): needed for a service of your own;
    /// for <c>SES</c> and <c>ConnectCampaigns</c> it replaces ThrottleKit's built-in rules.
    /// </summary>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="rules">The rules.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="serviceKey"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is <see langword="null"/>.</exception>
    public ThrottledAwsClientsBuilder UseRules(string serviceKey, AwsThrottlingRules rules)
    {
        RequireText(serviceKey, nameof(serviceKey));
        Guard.NotNull(rules);
        Services.Configure<AwsThrottlingCode>(code => code.Rules[serviceKey] = rules);
        return this;
    }

    /// <summary>
    /// Reads the service's rate (and 24-hour quota) from the account in each Region, now and every
    /// <see cref="AccountQuotaOptions.RefreshInterval"/>, through the client whose call made the bucket — so each account in each
    /// Region is read where it is spent. SES needs none of this: ThrottleKit reads SES's quota through its clients by itself.
    /// The configured rate applies until the first read and caps the reading when you set it; with the adaptive rate on, the
    /// reading is its ceiling.
    /// </summary>
    /// <typeparam name="TClient">The client type the reader takes; the buckets of clients of another type are not read.</typeparam>
    /// <param name="serviceKey">The service key.</param>
    /// <param name="read">Reads the quota through the client; given a token cancelled when the container is disposed.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="serviceKey"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    public ThrottledAwsClientsBuilder UseAccountQuota<TClient>(string serviceKey, Func<TClient, CancellationToken, Task<AccountQuota>> read)
        where TClient : class
    {
        RequireText(serviceKey, nameof(serviceKey));
        Guard.NotNull(read);
        Services.Configure<AwsThrottlingCode>(code => code.AccountQuotaReaders[serviceKey] =
            client => client is TClient typed ? ct => read(typed, ct) : null);
        return this;
    }

    private static void RequireText(string value, string paramName)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{paramName} is required.", paramName);
        }
    }
}
