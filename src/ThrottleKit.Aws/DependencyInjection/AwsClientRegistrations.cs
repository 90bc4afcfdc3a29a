using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Reflection;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ThrottleKit.Aws;

/// <summary>
/// The container's AWS client registrations, as <c>AddThrottledAwsClients</c> found and wrapped them, and as the service
/// collection stands when the container starts: so that a client registered afterwards, whose calls would go unthrottled,
/// fails validation with advice instead of passing silently.
/// </summary>
internal sealed class AwsClientRegistrations(IServiceCollection services)
{
    /// <summary>Wraps every AWS client registration not wrapped yet, so the container builds it inside a construction scope.</summary>
    public void WrapAll()
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (!IsClient(descriptor) || IsWrapped(descriptor) || Construct(descriptor) is not { } construct)
            {
                continue;
            }

            var factory = new ThrottledClientFactory(descriptor.ServiceType, construct);
            services[i] = descriptor.IsKeyedService
                ? new ServiceDescriptor(descriptor.ServiceType, descriptor.ServiceKey, factory.Create, descriptor.Lifetime)
                : new ServiceDescriptor(descriptor.ServiceType, factory.Create, descriptor.Lifetime);
        }
    }

    /// <summary>
    /// What is wrong with the registrations as they stand, given the service ids the options configure: a client of a
    /// configured service registered after <c>AddThrottledAwsClients</c> (not wrapped), or registered as a built instance.
    /// </summary>
    public IEnumerable<string> Problems(ISet<string> configuredServiceIds)
    {
        foreach (var descriptor in services.Where(IsClient))
        {
            var instance = descriptor.IsKeyedService ? descriptor.KeyedImplementationInstance : descriptor.ImplementationInstance;
            if (instance is IAmazonService built)
            {
                if (built.Config?.ServiceId is { } id && configuredServiceIds.Contains(id))
                {
                    yield return $"The {descriptor.ServiceType.Name} client (service id '{id}') is registered as an instance that is already built, so ThrottleKit cannot join its request pipeline and its calls would not be throttled. " +
                        $"Register it with AddAWSService<{descriptor.ServiceType.Name}>() or a factory (services.AddSingleton<{descriptor.ServiceType.Name}>(sp => new ...Client(...))) instead.";
                }

                continue;
            }

            if (!IsWrapped(descriptor) && ServiceIdOf(descriptor.ServiceType) is var serviceId && (serviceId is null || configuredServiceIds.Contains(serviceId)))
            {
                yield return $"The {descriptor.ServiceType.Name} client{(serviceId is null ? string.Empty : $" (service id '{serviceId}')")} was registered after AddThrottledAwsClients(), so its calls would not be throttled. " +
                    $"Call AddThrottledAwsClients() after registering the AWS clients (after AddAWSService<{descriptor.ServiceType.Name}>()).";
            }
        }
    }

    private static bool IsClient(ServiceDescriptor descriptor) => typeof(IAmazonService).IsAssignableFrom(descriptor.ServiceType);

    private static bool IsWrapped(ServiceDescriptor descriptor)
        => (descriptor.IsKeyedService ? descriptor.KeyedImplementationFactory?.Target : descriptor.ImplementationFactory?.Target) is ThrottledClientFactory;

    private static Func<IServiceProvider, object?, object>? Construct(ServiceDescriptor descriptor)
    {
        if (descriptor.IsKeyedService)
        {
            if (descriptor.KeyedImplementationFactory is { } keyedFactory)
            {
                return keyedFactory;
            }

            return descriptor.KeyedImplementationType is { } keyedType ? (provider, _) => ActivatorUtilities.CreateInstance(provider, keyedType) : null;
        }

        if (descriptor.ImplementationFactory is { } factory)
        {
            return (provider, _) => factory(provider);
        }

        // A built instance is left as it is: it cannot be joined, and a client of a service ThrottleKit has no rules for must be.
        return descriptor.ImplementationType is { } type ? (provider, _) => ActivatorUtilities.CreateInstance(provider, type) : null;
    }

    /// <summary>
    /// The SDK service id of a client interface (<c>IAmazonSimpleEmailService</c> → <c>SES</c>), read from a fresh default
    /// configuration of its client; <see langword="null"/> when it cannot be told.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only at start, for advice: a client type the trimmer removed is one the app never builds.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only at start, for advice: a client type the trimmer removed is one the app never builds.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Only at start, for advice: a client type the trimmer removed is one the app never builds.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Only at start, for advice: a client type the trimmer removed is one the app never builds.")]
    private static string? ServiceIdOf(Type clientInterface)
    {
        try
        {
            var client = clientInterface.Assembly.GetTypes().FirstOrDefault(t => t.IsClass && !t.IsAbstract && clientInterface.IsAssignableFrom(t));
            var configType = client?.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType)
                .FirstOrDefault(t => typeof(ClientConfig).IsAssignableFrom(t) && !t.IsAbstract);
            return configType is null ? null : (Activator.CreateInstance(configType) as ClientConfig)?.ServiceId;
        }
        catch (Exception error) when (error is ReflectionTypeLoadException or TargetInvocationException or MissingMethodException or NotSupportedException)
        {
            return null;
        }
    }
}
