using System;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ThrottleKit.Aws;

/// <summary>
/// Wraps the registration of an SDK client so that the container builds it inside a <see cref="ClientConstructionScope"/>:
/// the client's pipeline is then bound to this container's throttling. Its presence on a descriptor also marks that
/// descriptor as done, so adding ThrottleKit twice does not wrap twice.
/// </summary>
internal sealed class ThrottledClientFactory(Type serviceType, Func<IServiceProvider, object?, object> construct)
{
    public object Create(IServiceProvider provider, object? serviceKey)
    {
        var services = provider.GetRequiredService<ThrottledAwsServices>();
        var customized = ClientConstructionScope.Construct(services, () => construct(provider, serviceKey), out var client);
        if (customized == 0 && client is IAmazonService amazon && services.FindByServiceId(amazon.Config?.ServiceId) is { } throttle)
        {
            throw new InvalidOperationException(
                $"ThrottleKit could not join the request pipeline of the {serviceType} client (service '{throttle.Key}'), so its calls would not be throttled. " +
                "Its retry handler is not the SDK's standard one, or the client was not built by this registration.");
        }

        return client;
    }

    public object Create(IServiceProvider provider) => Create(provider, serviceKey: null);
}
