using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>Where one bucket's throttling reports: the service name it is tagged with, any further tags, a logger and the metrics.</summary>
public sealed class ThrottleKitTelemetry
{
    /// <summary>Creates the telemetry of one service (or bucket).</summary>
    /// <param name="serviceName">The service, e.g. <c>SES</c>; the value of the <c>throttlekit.service</c> tag and the subject of log events.</param>
    /// <param name="loggerFactory">Where log events go (category <c>ThrottleKit</c>); nowhere when <see langword="null"/>.</param>
    /// <param name="metrics">The instruments, shared by a container's pipelines; none when <see langword="null"/>.</param>
    /// <param name="tags">Further tags on every measurement, e.g. <c>cloud.region</c>; never anything secret.</param>
    /// <exception cref="ArgumentException"><paramref name="serviceName"/> is null or empty.</exception>
    public ThrottleKitTelemetry(string serviceName, ILoggerFactory? loggerFactory = null, ThrottleKitMetrics? metrics = null, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        if (string.IsNullOrEmpty(serviceName))
        {
            throw new ArgumentException("A service name is required.", nameof(serviceName));
        }

        ServiceName = serviceName;
        Logger = loggerFactory?.CreateLogger("ThrottleKit") ?? NullLogger.Instance;
        Metrics = metrics;
        Tags = [new(ThrottleKitMetrics.ServiceTag, serviceName), .. tags ?? []];
        TagsByPriority = [.. new[] { ThrottlePriority.High, ThrottlePriority.Normal, ThrottlePriority.Low }.Select(p => ThrottleKitMetrics.WithPriority(Tags, p))];
    }

    /// <summary>Gets the service name.</summary>
    public string ServiceName { get; }

    internal ILogger Logger { get; }

    internal ThrottleKitMetrics? Metrics { get; }

    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>Gets <see cref="Tags"/> with each priority's tag, made once: a permit wait is recorded on every attempt.</summary>
    internal KeyValuePair<string, object?>[][] TagsByPriority { get; }

    /// <summary>Warnings that a storm could repeat many times a second come through here: at most one a second each.</summary>
    internal LogGate Exhausted { get; } = new();

    internal LogGate QueueFull { get; } = new();

    internal LogGate ClassifierFailed { get; } = new();

    internal LogGate RateChanged { get; } = new();

    internal static ThrottleKitTelemetry Silent { get; } = new("default");

    private RateLimiter? _trackedLimiter;

    /// <summary>
    /// Puts <paramref name="limiter"/>'s rate (when it is an <see cref="IAdjustableRateLimiter"/>) on the
    /// <c>throttlekit.rate_limit.rate</c> gauge under these tags, once: a pipeline built again over the same limiter (a
    /// configuration change) does not report it twice. The limiter is held weakly. Nothing happens without metrics.
    /// </summary>
    /// <param name="limiter">The limiter of a bucket that reports here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    public void TrackRate(RateLimiter limiter)
    {
        Guard.NotNull(limiter);
        if (Metrics is { } metrics && !ReferenceEquals(Interlocked.Exchange(ref _trackedLimiter, limiter), limiter))
        {
            metrics.TrackRate(this, limiter);
        }
    }

    /// <summary>Takes <paramref name="limiter"/>'s rate off the gauge, as when its bucket is let go; nothing when it is not on it.</summary>
    /// <param name="limiter">The limiter of a bucket let go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    public void UntrackRate(RateLimiter limiter)
    {
        Guard.NotNull(limiter);
        Interlocked.CompareExchange(ref _trackedLimiter, null, limiter);
        Metrics?.UntrackRate(limiter);
    }

    internal string? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value as string;
}
