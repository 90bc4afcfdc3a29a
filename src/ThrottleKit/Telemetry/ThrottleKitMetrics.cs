using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using ThrottleKit.Adaptive;
using ThrottleKit.Internal;
using ThrottleKit.RateLimiting;

namespace ThrottleKit.Telemetry;

/// <summary>
/// The <c>ThrottleKit</c> meter and its instruments, for OpenTelemetry or any <see cref="MeterListener"/>. Every measurement
/// carries the tag <c>throttlekit.service</c> (e.g. <c>SES</c>). Create one per container (from its <see cref="IMeterFactory"/>)
/// and share it among that container's executors.
/// </summary>
/// <remarks>
/// Instruments: <c>throttlekit.throttles</c> (throttles seen), <c>throttlekit.retries</c> (retries scheduled),
/// <c>throttlekit.calls.exhausted</c> (calls that failed throttled after their last retry), <c>throttlekit.calls.rejected</c>
/// (calls refused because the limiter's queue was full), <c>throttlekit.permit.wait.duration</c> (histogram, ms, time an
/// attempt waited for its permits) and <c>throttlekit.rate_limit.rate</c> (gauge, the current permits per second).
/// </remarks>
public sealed class ThrottleKitMetrics : IDisposable
{
    /// <summary>The meter's name: subscribe to it (<c>AddMeter("ThrottleKit")</c> in OpenTelemetry).</summary>
    public const string MeterName = "ThrottleKit";

    /// <summary>The tag naming the throttled service on every measurement.</summary>
    public const string ServiceTag = "throttlekit.service";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly List<KeyValuePair<string, RateLimiter>> _rateSources = [];

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when there is none.</summary>
    /// <param name="meterFactory">The container's meter factory, which owns and disposes the meter; <see langword="null"/> for a meter this instance owns.</param>
    public ThrottleKitMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Throttles = _meter.CreateCounter<long>("throttlekit.throttles", "{throttle}", "Throttling errors seen (retriable failures).");
        Retries = _meter.CreateCounter<long>("throttlekit.retries", "{retry}", "Retries scheduled after a throttle.");
        Exhausted = _meter.CreateCounter<long>("throttlekit.calls.exhausted", "{call}", "Calls that were still throttled after their last retry.");
        Rejected = _meter.CreateCounter<long>("throttlekit.calls.rejected", "{call}", "Calls refused because the rate limiter's queue was full.");
        PermitWait = _meter.CreateHistogram<double>("throttlekit.permit.wait.duration", "ms", "Time an attempt waited for its permits.");
        _meter.CreateObservableGauge("throttlekit.rate_limit.rate", ObserveRates, "{permit}/s", "The rate limit in force, in permits per second.");
    }

    internal Counter<long> Throttles { get; }

    internal Counter<long> Retries { get; }

    internal Counter<long> Exhausted { get; }

    internal Counter<long> Rejected { get; }

    internal Histogram<double> PermitWait { get; }

    /// <summary>Disposes the meter if this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Reports <paramref name="limiter"/>'s rate on the gauge, tagged with <paramref name="service"/>, until the result is disposed.</summary>
    internal IDisposable TrackRate(string service, RateLimiter limiter)
    {
        var source = new KeyValuePair<string, RateLimiter>(Guard.NotNull(service, nameof(service)), limiter);
        lock (_rateSources)
        {
            _rateSources.Add(source);
        }

        return new Untrack(this, source);
    }

    private List<Measurement<double>> ObserveRates()
    {
        lock (_rateSources)
        {
            var measurements = new List<Measurement<double>>(_rateSources.Count);
            foreach (var source in _rateSources)
            {
                double? rate = source.Value switch
                {
                    IAdjustableRateLimiter adjustable => adjustable.PermitsPerSecond,
                    AdaptiveRateLimiter adaptive => adaptive.PermitsPerSecond,
                    _ => null,
                };
                if (rate is { } value)
                {
                    measurements.Add(new Measurement<double>(value, new KeyValuePair<string, object?>(ServiceTag, source.Key)));
                }
            }

            return measurements;
        }
    }

    private sealed class Untrack(ThrottleKitMetrics metrics, KeyValuePair<string, RateLimiter> source) : IDisposable
    {
        public void Dispose()
        {
            lock (metrics._rateSources)
            {
                metrics._rateSources.Remove(source);
            }
        }
    }
}
