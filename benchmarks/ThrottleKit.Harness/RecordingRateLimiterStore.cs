using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ThrottleKit.Harness;

/// <summary>
/// The container's own store, recorded: the harness reads the limiters an app's buckets really got (their leases, their
/// Redis round trips) without reaching into ThrottleKit.
/// </summary>
internal sealed class RecordingRateLimiterStore(IRateLimiterStore inner) : IRateLimiterStore
{
    private readonly List<RateLimiter> _limiters = [];
    private readonly List<string> _names = [];

    /// <summary>The names of the buckets made, in order: what a Redis fleet's keys are called.</summary>
    public IReadOnlyList<string> BucketNames
    {
        get
        {
            lock (_limiters)
            {
                return [.. _names];
            }
        }
    }

    public IReadOnlyList<RateLimiter> Limiters
    {
        get
        {
            lock (_limiters)
            {
                return [.. _limiters];
            }
        }
    }

    public RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions options, TimeProvider timeProvider)
    {
        var limiter = inner.CreateLimiter(bucketName, options, timeProvider);
        lock (_limiters)
        {
            _limiters.Add(limiter);
            _names.Add(bucketName);
        }

        return limiter;
    }

    /// <summary>Wraps the store registered so far (in-process, or Redis after <c>UseRedis</c>).</summary>
    public static void Record(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IRateLimiterStore));
        services.Replace(ServiceDescriptor.Singleton<IRateLimiterStore>(provider => new RecordingRateLimiterStore(
            registered.ImplementationInstance as IRateLimiterStore
            ?? (IRateLimiterStore)(registered.ImplementationFactory?.Invoke(provider) ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)))));
        services.AddSingleton(provider => (RecordingRateLimiterStore)provider.GetRequiredService<IRateLimiterStore>());
    }
}
