using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ThrottleKit.Execution;
using ThrottleKit.Telemetry;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>
/// One container's throttling state: a <see cref="ServiceThrottle"/> per configured service, found by service key or by
/// the SDK service id of a client. Disposed with the container, which disposes its limiters; other containers are untouched.
/// </summary>
internal sealed class ThrottledAwsServices : IDisposable
{
    private readonly Dictionary<string, ServiceThrottle> _byKey = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ServiceThrottle> _byServiceId = new(StringComparer.Ordinal);

    public ThrottledAwsServices(IOptions<AwsThrottlingOptions> options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, ThrottleKitMetrics? metrics = null, IServiceProvider? services = null, IServiceRateLimiterFactory? limiterFactory = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        foreach (var service in options.Value.Services)
        {
            var rules = service.Value.GetRules() ?? DefaultRules(service.Key)
                ?? throw new InvalidOperationException($"The service '{service.Key}' has no rules; set them with {nameof(AwsServiceThrottlingOptions)}.{nameof(AwsServiceThrottlingOptions.UseRules)}.");
            var throttle = new ServiceThrottle(service.Key, service.Value, rules, time, name => new ThrottleKitTelemetry(name, loggerFactory, metrics), services, limiterFactory);
            _byKey[service.Key] = throttle;
            foreach (var serviceId in service.Value.ServiceIds)
            {
                _byServiceId[serviceId] = throttle;
            }
        }
    }

    /// <summary>The built-in rules of a service key, or <see langword="null"/> when there are none.</summary>
    public static AwsThrottlingRules? DefaultRules(string serviceKey)
    {
        if (string.Equals(serviceKey, AwsServiceKeys.SimpleEmail, StringComparison.OrdinalIgnoreCase))
        {
            return AwsThrottlingRules.SimpleEmail;
        }

        return string.Equals(serviceKey, AwsServiceKeys.ConnectCampaigns, StringComparison.OrdinalIgnoreCase) ? AwsThrottlingRules.ConnectCampaigns : null;
    }

    public IThrottledExecutor GetExecutor(string serviceKey)
    {
        if (serviceKey is not null && _byKey.TryGetValue(serviceKey, out var throttle))
        {
            return throttle.Executor;
        }

        throw new InvalidOperationException(
            $"No throttled service '{serviceKey}' is configured. Configured services: {string.Join(", ", _byKey.Keys.OrderBy(k => k, StringComparer.Ordinal))}.");
    }

    public ServiceThrottle? FindByServiceId(string? serviceId)
        => serviceId is not null && _byServiceId.TryGetValue(serviceId, out var throttle) ? throttle : null;

    public void Dispose()
    {
        foreach (var throttle in _byKey.Values)
        {
            throttle.Dispose();
        }
    }
}
