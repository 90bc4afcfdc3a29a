using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;

namespace ThrottleKit;

/// <summary>
/// The <c>ThrottleKit</c> meter and its instruments, for OpenTelemetry or any <see cref="MeterListener"/>. Every measurement
/// carries the tag <c>throttlekit.service</c> (e.g. <c>SES</c>) and the tags its <see cref="ThrottleKitTelemetry"/> adds
/// (an AWS bucket adds <c>cloud.region</c> and <c>aws.service</c>). Create one per container (from its <see cref="IMeterFactory"/>)
/// and share it among that container's pipelines.
/// </summary>
/// <remarks>
/// Instruments, named and measured as OpenTelemetry's semantic conventions ask: <c>throttlekit.throttles</c> (throttles seen,
/// <c>{throttle}</c>), <c>throttlekit.retries</c> (retries scheduled, <c>{retry}</c>), <c>throttlekit.calls.exhausted</c> (calls
/// still throttled after their last retry, <c>{call}</c>), <c>throttlekit.calls.rejected</c> (calls refused because the
/// limiter's queue was full, <c>{call}</c>), <c>throttlekit.permit.wait.duration</c> (histogram of the time an attempt waited
/// for its permits, in seconds) and <c>throttlekit.rate_limit.rate</c> (gauge of the rate in force, <c>{permit}/s</c>).
/// </remarks>
public sealed class ThrottleKitMetrics : IDisposable
{
    /// <summary>The meter's name: subscribe to it (<c>AddMeter("ThrottleKit")</c> in OpenTelemetry).</summary>
    public const string MeterName = "ThrottleKit";

    /// <summary>The tag naming the throttled service on every measurement.</summary>
    public const string ServiceTag = "throttlekit.service";

    /// <summary>The tag naming a request's <see cref="ThrottlePriority"/> on the permit wait and the queue depth: <c>High</c>, <c>Normal</c> or <c>Low</c> (flows are not tags: they are unbounded).</summary>
    public const string PriorityTag = "throttlekit.priority";

    private static readonly string[] PriorityNames = [nameof(ThrottlePriority.High), nameof(ThrottlePriority.Normal), nameof(ThrottlePriority.Low)];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly List<RateSource> _rateSources = [];
    private ConditionalWeakTable<RateLimiter, RateSource> _sourceOf = new();
    private int _untracked;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when there is none.</summary>
    /// <param name="meterFactory">The container's meter factory, which owns and disposes the meter; <see langword="null"/> for a meter this instance owns.</param>
    public ThrottleKitMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Throttles = _meter.CreateCounter<long>("throttlekit.throttles", "{throttle}", "Throttling errors seen (retriable failures).");
        Retries = _meter.CreateCounter<long>("throttlekit.retries", "{retry}", "Retries scheduled after a throttle or a request that never left.");
        Exhausted = _meter.CreateCounter<long>("throttlekit.calls.exhausted", "{call}", "Calls that were still throttled after their last retry.");
        Rejected = _meter.CreateCounter<long>("throttlekit.calls.rejected", "{call}", "Calls refused because the rate limiter's queue was full.");
        PermitWait = _meter.CreateHistogram<double>("throttlekit.permit.wait.duration", "s", "Time an attempt waited for its permits.");
        _meter.CreateObservableGauge("throttlekit.rate_limit.rate", ObserveRates, "{permit}/s", "The rate limit in force, in permits per second.");
        _meter.CreateObservableGauge("throttlekit.rate_limit.queued", ObserveQueues, "{request}", "Requests waiting in the rate limiter's queue, by priority.");
    }

    /// <summary>Gets the meter the instruments live on, for a package of ThrottleKit's that adds its own.</summary>
    public Meter Meter => _meter;

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

    /// <summary>
    /// Reports <paramref name="limiter"/>'s rate on the gauge with <paramref name="telemetry"/>'s tags for as long as the
    /// limiter lives (held weakly: a pipeline nobody disposes does not keep it alive), or until <see cref="UntrackRate"/>.
    /// </summary>
    internal void TrackRate(ThrottleKitTelemetry telemetry, RateLimiter limiter)
    {
        lock (_rateSources)
        {
            if (_sourceOf.TryGetValue(limiter, out var tracked))
            {
                if (ReferenceEquals(tracked.Tags, telemetry.Tags))
                {
                    return;
                }

                // Reported under other tags now: the old entry goes, or the gauge would count the limiter twice.
                tracked.Removed = true;
                _untracked++;
            }

            var source = new RateSource(telemetry.Tags, new WeakReference<RateLimiter>(limiter));
            _sourceOf.Remove(limiter);
            _sourceOf.Add(limiter, source);
            _rateSources.Add(source);
        }
    }

    /// <summary>
    /// Takes <paramref name="limiter"/> off the gauge (a bucket let go while idle). Its entry is marked and the list compacted
    /// once the marked ones are half of it, so that letting go of many buckets costs a constant time each and leaves nothing behind.
    /// </summary>
    internal void UntrackRate(RateLimiter limiter)
    {
        lock (_rateSources)
        {
            if (!_sourceOf.TryGetValue(limiter, out var source))
            {
                return;
            }

            _sourceOf.Remove(limiter);
            source.Removed = true;
            if (++_untracked * 2 > _rateSources.Count)
            {
                Compact();
            }
        }
    }

    private List<Measurement<double>> ObserveRates()
    {
        lock (_rateSources)
        {
            var measurements = new List<Measurement<double>>(_rateSources.Count);
            Compact();
            foreach (var source in _rateSources)
            {
                if (source.Limiter.TryGetTarget(out var limiter) && limiter is IAdjustableRateLimiter adjustable)
                {
                    measurements.Add(new Measurement<double>(adjustable.PermitsPerSecond, source.Tags));
                }
            }

            return measurements;
        }
    }

    /// <summary>
    /// Drops the entries untracked or collected. The list and the table keep the room of their largest size, so once they are
    /// down to a quarter of it both are made again at the size in use: many buckets let go leave nothing behind.
    /// </summary>
    /// <summary>The tags of a measurement about requests of <paramref name="priority"/>.</summary>
    internal static KeyValuePair<string, object?>[] WithPriority(KeyValuePair<string, object?>[] tags, ThrottlePriority priority)
        => [.. tags, new(PriorityTag, PriorityNames[(int)priority])];

    private List<Measurement<int>> ObserveQueues()
    {
        lock (_rateSources)
        {
            var measurements = new List<Measurement<int>>();
            Compact();
            foreach (var source in _rateSources)
            {
                if (source.Limiter.TryGetTarget(out var limiter) && (limiter as GcraRateLimiter ?? (limiter as AdaptiveRateLimiter)?.Bucket as GcraRateLimiter) is { } queue)
                {
                    foreach (var priority in (ReadOnlySpan<ThrottlePriority>)[ThrottlePriority.High, ThrottlePriority.Normal, ThrottlePriority.Low])
                    {
                        measurements.Add(new Measurement<int>(queue.QueuedRequests(priority), WithPriority(source.Tags, priority)));
                    }
                }
            }

            return measurements;
        }
    }

    private void Compact()
    {
        _rateSources.RemoveAll(source => source.Removed || !source.Limiter.TryGetTarget(out _));
        _untracked = 0;
        if (_rateSources.Count * 4 < _rateSources.Capacity && _rateSources.Capacity > 64)
        {
            _rateSources.TrimExcess();
            var table = new ConditionalWeakTable<RateLimiter, RateSource>();
            foreach (var source in _rateSources)
            {
                if (source.Limiter.TryGetTarget(out var limiter))
                {
                    table.Remove(limiter);
                    table.Add(limiter, source);
                }
            }

            _sourceOf = table;
        }
    }

    private sealed class RateSource(KeyValuePair<string, object?>[] tags, WeakReference<RateLimiter> limiter)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public WeakReference<RateLimiter> Limiter { get; } = limiter;

        public bool Removed { get; set; }
    }
}
