using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ThrottleKit.Aws;

/// <summary>
/// One container's throttling of AWS services: a <see cref="ServiceThrottle"/> per configured service, found by service key
/// or by a client's SDK service id, following configuration as it changes. Disposed with the container, with its buckets;
/// other containers are untouched.
/// </summary>
internal sealed class ThrottledAwsServices : IDisposable
{
    private readonly object _lock = new();
    private readonly AwsThrottlingContext _context;
    private readonly AwsThrottlingCode _code;
    private readonly IOptionsFactory<AwsThrottlingOptions> _optionsFactory;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _changeSubscriptions = [];
    private volatile Snapshot _snapshot;

    public ThrottledAwsServices(
        IOptions<AwsThrottlingOptions> options,
        IOptionsFactory<AwsThrottlingOptions> optionsFactory,
        IEnumerable<IOptionsChangeTokenSource<AwsThrottlingOptions>> changeSources,
        IOptions<AwsThrottlingCode> code,
        AwsThrottlingContext context)
    {
        _context = context;
        _code = code.Value;
        _optionsFactory = optionsFactory;
        _logger = (ILogger?)context.LoggerFactory?.CreateLogger("ThrottleKit") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        _snapshot = Build(options.Value, previous: null);
        foreach (var source in changeSources)
        {
            _changeSubscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
        }
    }

    /// <summary>Gets the container's ThrottleKit logger.</summary>
    public ILogger Logger => _logger;

    public ServiceThrottle? FindByServiceId(string? serviceId)
        => serviceId is not null && _snapshot.ByServiceId.TryGetValue(serviceId, out var throttle) ? throttle : null;

    public IThrottledExecutor GetExecutor(string serviceKey)
    {
        if (serviceKey is not null && _snapshot.ByKey.TryGetValue(serviceKey, out var throttle))
        {
            return throttle.Executor;
        }

        throw new InvalidOperationException(
            $"No throttled service '{serviceKey}' is configured. Configured services: {string.Join(", ", _snapshot.ByKey.Keys.OrderBy(k => k, StringComparer.Ordinal))}.");
    }

    public IEnumerable<AwsBucket> Buckets() => _snapshot.ByKey.Values.SelectMany(t => t.Buckets());

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var subscription in _changeSubscriptions)
            {
                subscription.Dispose();
            }

            foreach (var throttle in _snapshot.ByKey.Values)
            {
                throttle.Dispose();
            }
        }
    }

    /// <summary>
    /// Builds the options afresh and, when they are valid, applies them to the running services; an invalid change is refused
    /// and logged, and the last valid settings stay in force (<c>IOptionsMonitor</c> would only stop answering).
    /// </summary>
    private void Reload()
    {
        AwsThrottlingOptions options;
        try
        {
            options = _optionsFactory.Create(Options.DefaultName);
        }
        catch (OptionsValidationException refused)
        {
            AwsLog.ConfigurationRefused(_logger, refused.Message);
            return;
        }
        catch (InvalidOperationException refused)
        {
            AwsLog.ConfigurationRefused(_logger, refused.Message);
            return;
        }

        lock (_lock)
        {
            _snapshot = Build(options, _snapshot);
        }

        AwsLog.ConfigurationApplied(_logger, _snapshot.ByKey.Count);
    }

    private Snapshot Build(AwsThrottlingOptions options, Snapshot? previous)
    {
        var settings = AwsBucketSettings.From(options);
        var byKey = new Dictionary<string, ServiceThrottle>(StringComparer.OrdinalIgnoreCase);
        var byServiceId = new Dictionary<string, ServiceThrottle>(StringComparer.Ordinal);
        foreach (var service in options.Services)
        {
            ServiceThrottle throttle;
            if (previous is not null && previous.ByKey.TryGetValue(service.Key, out var running))
            {
                running.Apply(service.Value, settings);
                throttle = running;
            }
            else
            {
                throttle = new ServiceThrottle(service.Key, service.Value, settings, RulesOf(service.Key), _context);
            }

            byKey[service.Key] = throttle;
            foreach (var serviceId in service.Value.ServiceIds)
            {
                byServiceId[serviceId] = throttle;
            }
        }

        // A service taken out of configuration keeps its buckets until the container goes: a client may be mid-call.
        if (previous is not null)
        {
            foreach (var removed in previous.ByKey.Where(p => !byKey.ContainsKey(p.Key)))
            {
                byKey[removed.Key] = removed.Value;
            }
        }

        return new Snapshot(byKey, byServiceId);
    }

    private AwsThrottlingRules RulesOf(string serviceKey)
    {
        if (_code.Rules.TryGetValue(serviceKey, out var rules))
        {
            return rules;
        }

        return AwsServiceCatalog.Find(serviceKey) is { } definition
            ? definition.CreateRules(_logger)
            : throw new InvalidOperationException($"The service '{serviceKey}' has no rules; give them with UseRules(\"{serviceKey}\", ...).");
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, ServiceThrottle> ByKey, IReadOnlyDictionary<string, ServiceThrottle> ByServiceId);
}
