using System;
using System.Collections.Generic;

namespace ThrottleKit;

/// <summary>
/// The waiting requests of one priority, shared fairly between their flows by weight (start-time fair queuing): each
/// request gets a start tag, its flow's last finish or the queue's virtual time, whichever is later, and the smallest tag is
/// served first. A flow's own requests keep their order; a backlogged flow of weight w receives w / Σw of what the priority
/// is granted; a flow that stops frees its share at once and, when it comes back, starts from now, with nothing saved up.
/// With one flow (no flow named) it is first in, first out.
/// </summary>
internal sealed class GcraFairQueue
{
    private readonly SortedSet<GcraWaiter> _waiting = new(ByTag.Instance);
    private readonly Dictionary<string, FlowState> _flows = new(StringComparer.Ordinal);
    private double _virtualTime;

    public int Count => _waiting.Count;

    public GcraWaiter? Head => _waiting.Count == 0 ? null : _waiting.Min;

    public void Enqueue(GcraWaiter waiter)
    {
        var key = waiter.Priority.Flow ?? string.Empty;
        if (!_flows.TryGetValue(key, out var flow))
        {
            _flows[key] = flow = new FlowState { Finish = _virtualTime };
        }

        waiter.Tag = Math.Max(_virtualTime, flow.Finish);
        flow.Finish = waiter.Tag + (Math.Max(waiter.Cost, 1) / waiter.Priority.Weight);
        flow.Waiting++;
        _waiting.Add(waiter);
    }

    /// <summary>Takes a request out: <paramref name="served"/> when it was granted, which moves the virtual time to its tag.</summary>
    public void Remove(GcraWaiter waiter, bool served)
    {
        _waiting.Remove(waiter);
        if (served && waiter.Tag > _virtualTime)
        {
            _virtualTime = waiter.Tag;
        }

        var key = waiter.Priority.Flow ?? string.Empty;
        var flow = _flows[key];

        // A flow with nothing waiting is forgotten once the queue has caught up with it (or it gave up): it starts afresh
        // from the virtual time when it comes back. Flows are unbounded (tenants), so the ones behind are swept too.
        if (--flow.Waiting == 0 && (!served || flow.Finish <= _virtualTime))
        {
            _flows.Remove(key);
        }

        if (_waiting.Count == 0)
        {
            _flows.Clear();
        }
        else if (_flows.Count > 64 + (4 * _waiting.Count))
        {
            Sweep();
        }
    }

    /// <summary>Empties the queue; returns the requests it held.</summary>
    public IEnumerable<GcraWaiter> Clear()
    {
        var held = new List<GcraWaiter>(_waiting);
        _waiting.Clear();
        _flows.Clear();
        return held;
    }

    private void Sweep()
    {
        var idle = new List<string>();
        foreach (var pair in _flows)
        {
            if (pair.Value.Waiting == 0 && pair.Value.Finish <= _virtualTime)
            {
                idle.Add(pair.Key);
            }
        }

        foreach (var key in idle)
        {
            _flows.Remove(key);
        }
    }

    private sealed class FlowState
    {
        public double Finish { get; set; }

        public int Waiting { get; set; }
    }

    private sealed class ByTag : IComparer<GcraWaiter>
    {
        public static readonly ByTag Instance = new();

        public int Compare(GcraWaiter? x, GcraWaiter? y)
        {
            var byTag = x!.Tag.CompareTo(y!.Tag);
            return byTag != 0 ? byTag : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
