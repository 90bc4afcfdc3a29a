using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace ThrottleKit.Redis;

/// <summary>
/// The Redis backend's instruments on the <c>ThrottleKit</c> meter: how long limiters ran on their failure policy, and what
/// the single probe found. One per container, from its <see cref="IMeterFactory"/>.
/// </summary>
internal sealed class RedisMetrics
{
    private readonly Counter<long> _probes;
    private readonly List<WeakReference<RedisCircuit>> _circuits = [];

    public RedisMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ThrottleKitMetrics.MeterName);
        _probes = meter.CreateCounter<long>("throttlekit.redis.probes", "{probe}", "Probes of an unreachable Redis, by result (answered, unanswered).");
        meter.CreateObservableCounter("throttlekit.redis.fallback.time", ObserveFallbackTime, "s", "Time the limiters spent on their failure policy because Redis could not be reached.");
    }

    public void Track(RedisCircuit circuit)
    {
        lock (_circuits)
        {
            _circuits.Add(new WeakReference<RedisCircuit>(circuit));
        }
    }

    public void ProbeAnswered(bool answered) => _probes.Add(1, new KeyValuePair<string, object?>("result", answered ? "answered" : "unanswered"));

    private double ObserveFallbackTime()
    {
        var seconds = 0.0;
        lock (_circuits)
        {
            _circuits.RemoveAll(c => !c.TryGetTarget(out _));
            foreach (var reference in _circuits)
            {
                if (reference.TryGetTarget(out var circuit))
                {
                    seconds += circuit.FallbackTime.TotalSeconds;
                }
            }
        }

        return seconds;
    }
}
