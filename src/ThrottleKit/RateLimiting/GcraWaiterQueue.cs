using System.Threading;

namespace ThrottleKit;

/// <summary>
/// A <see cref="GcraRateLimiter"/>'s waiting requests, by priority: the head is the oldest-tagged request of the highest
/// priority with requests waiting, unless a lower priority is owed its floor. Each priority below the highest one waiting
/// earns <c>floor × cost</c> of every grant while it has requests waiting, and is served when what it earned covers its
/// head's cost; it earns nothing while idle or highest. Within a priority, flows share fairly (<see cref="GcraFairQueue"/>).
/// Changed only under the limiter's lock; its counts are read without it.
/// </summary>
internal sealed class GcraWaiterQueue
{
    private const int Priorities = 3;
    private readonly double _floor;

    // Made at the first wait: most buckets (an idle partition, a limiter that is never contended) never queue anyone.
    private GcraFairQueue[] _byPriority = null!;
    private double[] _earned = null!;
    private int[] _counts = null!;
    private volatile int _count;
    private long _permits;
    private long _sequence;

    public GcraWaiterQueue(double floor) => _floor = floor;

    /// <summary>Gets the request to grant next, or <see langword="null"/>.</summary>
    public GcraWaiter? Head { get; private set; }

    /// <summary>Gets how many requests wait.</summary>
    public int Count => _count;

    /// <summary>Gets how many permits the waiting requests ask for in all.</summary>
    public long Permits => Volatile.Read(ref _permits);

    /// <summary>Gets how many requests of <paramref name="priority"/> wait.</summary>
    public int CountOf(ThrottlePriority priority) => Volatile.Read(ref _counts) is { } counts ? Volatile.Read(ref counts[(int)priority]) : 0;

    public void Enqueue(GcraWaiter waiter)
    {
        if (_byPriority is null)
        {
            _byPriority = [new(), new(), new()];
            _earned = new double[Priorities];
            Volatile.Write(ref _counts, new int[Priorities]);
        }

        var priority = (int)waiter.Priority.Priority;
        waiter.IsQueued = true;
        waiter.Sequence = _sequence++;
        _byPriority[priority].Enqueue(waiter);
        Volatile.Write(ref _counts[priority], _counts[priority] + 1);
        _permits += waiter.Cost;
        _count++;
        Head = Choose();
    }

    /// <summary>Takes out the head, which has been granted, and credits the floors it owes.</summary>
    public GcraWaiter Dequeue()
    {
        var granted = Head!;
        var chosen = (int)granted.Priority.Priority;
        var top = Top();
        for (var p = top + 1; p < Priorities; p++)
        {
            if (_byPriority[p].Count > 0)
            {
                _earned[p] += _floor * granted.Cost;
            }
        }

        _earned[chosen] = chosen == top ? 0 : _earned[chosen] - granted.Cost;
        Take(granted, served: true);
        return granted;
    }

    /// <summary>Takes out a request that gave up.</summary>
    public void Remove(GcraWaiter waiter) => Take(waiter, served: false);

    /// <summary>Empties the queue; returns the requests it held, chained through <see cref="GcraWaiter.Next"/>.</summary>
    public GcraWaiter? Clear()
    {
        GcraWaiter? first = null;
        if (_byPriority is null)
        {
            return null;
        }

        for (var p = Priorities - 1; p >= 0; p--)
        {
            foreach (var waiter in _byPriority[p].Clear())
            {
                waiter.IsQueued = false;
                waiter.Next = first;
                first = waiter;
            }

            _earned[p] = 0;
            Volatile.Write(ref _counts[p], 0);
        }

        Head = null;
        _permits = 0;
        _count = 0;
        return first;
    }

    private void Take(GcraWaiter waiter, bool served)
    {
        var priority = (int)waiter.Priority.Priority;
        _byPriority[priority].Remove(waiter, served);
        if (_byPriority[priority].Count == 0)
        {
            // No saving up: a priority that had nothing waiting is owed nothing when it comes back.
            _earned[priority] = 0;
        }

        Volatile.Write(ref _counts[priority], _counts[priority] - 1);
        waiter.IsQueued = false;
        waiter.Next = null;
        _permits -= waiter.Cost;
        _count--;
        Head = Choose();
    }

    private int Top()
    {
        for (var p = 0; p < Priorities; p++)
        {
            if (_byPriority[p].Count > 0)
            {
                return p;
            }
        }

        return -1;
    }

    private GcraWaiter? Choose()
    {
        var top = Top();
        if (top < 0)
        {
            return null;
        }

        // The lower priority owed the most, if what it is owed covers its head; otherwise the highest priority's head.
        GcraWaiter? owed = null;
        var most = double.NegativeInfinity;
        for (var p = top + 1; p < Priorities; p++)
        {
            // The epsilon keeps ten grants at a floor of 0.1 from earning 0.9999999999999999 of a permit.
            if (_byPriority[p].Head is { } head && _earned[p] + 1e-9 >= head.Cost && _earned[p] - head.Cost > most)
            {
                owed = head;
                most = _earned[p] - head.Cost;
            }
        }

        return owed ?? _byPriority[top].Head;
    }
}
