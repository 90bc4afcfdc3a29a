using System;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ThrottleKit;
using ThrottleKit.Aws;
using ThrottleKit.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts the AWS SDK clients an app resolves from its container under their services' quotas.</summary>
[SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The usual Microsoft.Extensions shape: an optional Action overload beside an IConfiguration one.")]
public static class ThrottledAwsClientsServiceCollectionExtensions
{
    /// <summary>
    /// Throttles every AWS SDK client registered so far (by <c>AddAWSService&lt;T&gt;()</c>, or with a type or a factory)
    /// whose service is configured: each call waits for its permits in its service's bucket for its account and Region, only
    /// throttles (and requests that provably never left) are retried, with the service's backoff, and the SDK's own retries
    /// are replaced, so a call makes at most <c>MaxRetries + 1</c> attempts; what the SDK's retry does besides (clock-skew
    /// correction, a fresh signature on each attempt, a rewound body) is kept. Clients of other services are left as they are.
    /// Each service also gets a keyed <see cref="IThrottledExecutor"/> under its key. Call it after registering the clients: a
    /// client registered afterwards fails validation at start, with advice. Options are validated when the host starts; calling
    /// it again adds configuration, never a second wrapper. Nothing is built until the container resolves it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the defaults (SES 14/s, Connect Campaigns 5/s, backoff 10 ms … 5 s, 10 retries).</param>
    /// <returns>A builder for mappings, rules, the account's quota and optional parts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static ThrottledAwsClientsBuilder AddThrottledAwsClients(this IServiceCollection services, Action<AwsThrottlingOptions>? configure = null)
    {
        var builder = AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// As <see cref="AddThrottledAwsClients(IServiceCollection, Action{AwsThrottlingOptions}?)"/>, with the options bound from
    /// <paramref name="configuration"/> (for example the <c>ThrottleKit</c> section of appsettings.json) and followed as it
    /// changes: a valid change applies to the running buckets (rates at once), an invalid one is refused and logged. A key under
    /// the section that names no setting fails validation at start, naming it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="AwsThrottlingOptions"/>.</param>
    /// <returns>A builder for mappings, rules, the account's quota and optional parts.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="configuration"/> holds a <c>ThrottleKit</c> section and no <c>Services</c>: the whole configuration was passed instead of its section.</exception>
    public static ThrottledAwsClientsBuilder AddThrottledAwsClients(this IServiceCollection services, IConfiguration configuration)
    {
        Guard.NotNull(configuration);

        // Passing the whole configuration is an easy slip; bound, it would fail naming every environment variable as an
        // unknown setting. A configuration that holds a ThrottleKit section and no Services of its own is that slip.
        if (configuration.GetSection("ThrottleKit").Exists() && !configuration.GetSection(nameof(AwsThrottlingOptions.Services)).Exists())
        {
            throw new ArgumentException(
                "This is the whole configuration, which holds a 'ThrottleKit' section: bind that section, AddThrottledAwsClients(configuration.GetSection(\"ThrottleKit\")).",
                nameof(configuration));
        }

        var builder = AddCore(services);
        services.AddOptions<AwsThrottlingOptions>().Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true);
        return builder;
    }

    private static ThrottledAwsClientsBuilder AddCore(IServiceCollection services)
    {
        Guard.NotNull(services);
        services.AddThrottleKit();
        services.AddOptions<AwsThrottlingOptions>().ValidateOnStart();
        services.AddOptions<AwsThrottlingCode>();
        services.TryAddSingleton(new AwsClientRegistrations(services));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsThrottlingOptions>, AwsThrottlingOptionsValidator>());
        services.TryAddSingleton(static provider => new ThrottledAwsServices(
            provider.GetRequiredService<IOptions<AwsThrottlingOptions>>(),
            provider.GetRequiredService<IOptionsFactory<AwsThrottlingOptions>>(),
            provider.GetServices<IOptionsChangeTokenSource<AwsThrottlingOptions>>(),
            provider.GetRequiredService<IOptions<AwsThrottlingCode>>(),
            new AwsThrottlingContext(
                provider.GetService<TimeProvider>() ?? TimeProvider.System,
                provider.GetRequiredService<IRateLimiterStore>(),
                provider.GetService<ILoggerFactory>(),
                provider.GetService<ThrottleKitMetrics>(),
                provider,
                provider.GetRequiredService<IOptions<AwsThrottlingCode>>().Value)));
        services.TryAddSingleton(static provider => new AwsThrottlingState(provider.GetRequiredService<ThrottledAwsServices>()));
        if (!services.Any(static d => d.ServiceType == typeof(IThrottledExecutor) && Equals(d.ServiceKey, KeyedService.AnyKey)))
        {
            services.AddKeyedSingleton<IThrottledExecutor>(
                KeyedService.AnyKey,
                static (provider, key) => provider.GetRequiredService<ThrottledAwsServices>().GetExecutor((key as string)!));
        }

        new AwsClientRegistrations(services).WrapAll();
        return new ThrottledAwsClientsBuilder(services);
    }
}
