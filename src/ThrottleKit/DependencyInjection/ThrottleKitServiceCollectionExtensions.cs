using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ThrottleKit;
using ThrottleKit.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what every part of ThrottleKit in a container shares.</summary>
public static class ThrottleKitServiceCollectionExtensions
{
    /// <summary>
    /// Registers the container's <see cref="ThrottleKitMetrics"/> (on the container's <see cref="IMeterFactory"/>, when it has
    /// one) and its <see cref="IRateLimiterStore"/> (in-process, unless a fleet store was registered). Nothing is built until it
    /// is resolved. Calling it again changes nothing.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for optional parts.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IThrottleKitBuilder AddThrottleKit(this IServiceCollection services)
    {
        Guard.NotNull(services);
        services.TryAddSingleton(static provider => new ThrottleKitMetrics(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<IRateLimiterStore, InProcessRateLimiterStore>();
        return new ThrottleKitBuilder(services);
    }

    private sealed class ThrottleKitBuilder(IServiceCollection services) : IThrottleKitBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
