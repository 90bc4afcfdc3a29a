using System;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ThrottleKit.Internal;

namespace ThrottleKit.Telemetry;

/// <summary>Where one executor reports: the service name it tags measurements and logs with, a logger and the metrics.</summary>
public sealed class ThrottleKitTelemetry
{
    /// <summary>Creates the telemetry of one service.</summary>
    /// <param name="serviceName">The service, e.g. <c>SES</c>; the value of the <c>throttlekit.service</c> tag.</param>
    /// <param name="loggerFactory">Where log events go; none when <see langword="null"/>.</param>
    /// <param name="metrics">The instruments, shared by a container's executors; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="serviceName"/> is null or empty.</exception>
    public ThrottleKitTelemetry(string serviceName, ILoggerFactory? loggerFactory = null, ThrottleKitMetrics? metrics = null)
    {
        if (string.IsNullOrEmpty(serviceName))
        {
            throw new ArgumentException("A service name is required.", nameof(serviceName));
        }

        ServiceName = serviceName;
        Logger = loggerFactory?.CreateLogger("ThrottleKit") ?? NullLogger.Instance;
        Metrics = metrics;
        ServiceTag = new(ThrottleKitMetrics.ServiceTag, serviceName);
    }

    /// <summary>Gets the service name.</summary>
    public string ServiceName { get; }

    internal ILogger Logger { get; }

    internal ThrottleKitMetrics? Metrics { get; }

    internal System.Collections.Generic.KeyValuePair<string, object?> ServiceTag { get; }

    internal static ThrottleKitTelemetry Silent(string serviceName) => new(Guard.NotNull(serviceName, nameof(serviceName)));
}
