using System;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Linq;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ThrottleKit.Aws.Pipeline;
using ThrottleKit.Execution;
using ThrottleKit.Telemetry;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>Puts the AWS SDK clients an app resolves from its container under their services' quotas.</summary>
[SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The usual Microsoft.Extensions shape: an optional Action overload beside an IConfiguration one.")]
public static class ThrottledAwsClientsServiceCollectionExtensions
{
    /// <summary>
    /// Throttles every AWS SDK client registered so far (by <c>AddAWSService&lt;T&gt;()</c>, or by hand with a type or a factory)
    /// whose service is configured: each call waits for its permits, only throttles are retried (with the service's backoff),
    /// and the SDK's own retries are replaced, so a call makes at most <c>MaxRetries + 1</c> attempts. Call it after the clients
    /// are registered. Also registers each service's <see cref="IThrottledExecutor"/> as a keyed service under its key
    /// (<see cref="AwsServiceKeys.SimpleEmail"/>, <see cref="AwsServiceKeys.ConnectCampaigns"/>, or your own), sharing the
    /// clients' limiter. Options are validated when the host starts. Calling it again adds configuration, never a second wrapper.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the defaults (SES 14/s, Connect Campaigns 5/s, backoff 10 ms … 5 s, 10 retries).</param>
    /// <returns>A builder for optional backends.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">An AWS client is registered as an already-built instance, whose pipeline cannot be joined.</exception>
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
    /// <paramref name="configuration"/> (for example the <c>ThrottleKit</c> section of appsettings.json).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="AwsThrottlingOptions"/>.</param>
    /// <returns>A builder for optional backends.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">An AWS client is registered as an already-built instance, whose pipeline cannot be joined.</exception>
    public static ThrottledAwsClientsBuilder AddThrottledAwsClients(this IServiceCollection services, IConfiguration configuration)
    {
        Guard.NotNull(configuration, nameof(configuration));
        var builder = AddCore(services);
        services.Configure<AwsThrottlingOptions>(configuration);
        return builder;
    }

    private static ThrottledAwsClientsBuilder AddCore(IServiceCollection services)
    {
        Guard.NotNull(services, nameof(services));
        services.AddOptions<AwsThrottlingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsThrottlingOptions>, AwsThrottlingOptionsValidator>());
        services.TryAddSingleton(static provider => new ThrottleKitMetrics(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(static provider => new ThrottledAwsServices(
            provider.GetRequiredService<IOptions<AwsThrottlingOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetRequiredService<ThrottleKitMetrics>(),
            provider,
            provider.GetService<IServiceRateLimiterFactory>()));
        if (!services.Any(static d => d.ServiceType == typeof(IThrottledExecutor) && Equals(d.ServiceKey, KeyedService.AnyKey)))
        {
            services.AddKeyedSingleton<IThrottledExecutor>(
                KeyedService.AnyKey,
                static (provider, key) => provider.GetRequiredService<ThrottledAwsServices>().GetExecutor((key as string)!));
        }

        ThrottlingPipelineCustomizer.EnsureRegistered();
        WrapClientRegistrations(services);
        return new ThrottledAwsClientsBuilder(services);
    }

    private static void WrapClientRegistrations(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (!typeof(IAmazonService).IsAssignableFrom(descriptor.ServiceType) || IsWrapped(descriptor))
            {
                continue;
            }

            var factory = new ThrottledClientFactory(descriptor.ServiceType, Unwrap(descriptor));
            services[i] = descriptor.IsKeyedService
                ? new ServiceDescriptor(descriptor.ServiceType, descriptor.ServiceKey, factory.Create, descriptor.Lifetime)
                : new ServiceDescriptor(descriptor.ServiceType, factory.Create, descriptor.Lifetime);
        }
    }

    private static bool IsWrapped(ServiceDescriptor descriptor)
        => (descriptor.IsKeyedService ? descriptor.KeyedImplementationFactory?.Target : descriptor.ImplementationFactory?.Target) is ThrottledClientFactory;

    private static Func<IServiceProvider, object?, object> Unwrap(ServiceDescriptor descriptor)
    {
        if (descriptor.IsKeyedService)
        {
            if (descriptor.KeyedImplementationFactory is { } keyedFactory)
            {
                return keyedFactory;
            }

            if (descriptor.KeyedImplementationType is { } keyedType)
            {
                return (provider, _) => ActivatorUtilities.CreateInstance(provider, keyedType);
            }
        }
        else
        {
            if (descriptor.ImplementationFactory is { } factory)
            {
                return (provider, _) => factory(provider);
            }

            if (descriptor.ImplementationType is { } type)
            {
                return (provider, _) => ActivatorUtilities.CreateInstance(provider, type);
            }
        }

        throw new InvalidOperationException(
            $"The AWS client {descriptor.ServiceType} is registered as an instance that is already built, so ThrottleKit cannot join its request pipeline. " +
            $"Register it with AddAWSService<{descriptor.ServiceType.Name}>() or a factory (services.AddSingleton<{descriptor.ServiceType.Name}>(sp => new ...Client(...))) instead.");
    }
}
