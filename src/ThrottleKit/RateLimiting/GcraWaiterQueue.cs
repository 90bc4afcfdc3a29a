using System.Threading;

namespace ThrottleKit;

/// <summary>
/// A <see cref="GcraRateLimiter"/>'s waiting requests, oldest first: a doubly linked list, so that a cancelled request
/// leaves in constant time wherever it stands. Changed only under the limiter's lock; its counts are read without it.
/// </summary>
internal sealed class GcraWaiterQueue
{
    private volatile int _count;
    private long _permits;
    private GcraWaiter? _tail;

    /// <summary>Gets the oldest waiting request, or <see langword="null"/>.</summary>
    public GcraWaiter? Head { get; private set; }

    /// <summary>Gets how many requests wait.</summary>
    public int Count => _count;

    /// <summary>Gets how many permits the waiting requests ask for in all.</summary>
    public long Permits => Volatile.Read(ref _permits);

    public void Enqueue(GcraWaiter waiter)
    {
        waiter.IsQueued = true;
        waiter.Previous = _tail;
        if (_tail is null)
        {
            Head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        _permits += waiter.Cost;
        _count++;
    }

    public void Remove(GcraWaiter waiter)
    {
        if (waiter.Previous is null)
        {
            Head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.IsQueued = false;
        waiter.Next = waiter.Previous = null;
        _permits -= waiter.Cost;
        _count--;
    }

    /// <summary>Empties the queue; returns the requests it held, still chained through <see cref="GcraWaiter.Next"/>.</summary>
    public GcraWaiter? Clear()
    {
        var abandoned = Head;
        for (var waiter = Head; waiter is not null; waiter = waiter.Next)
        {
            waiter.IsQueued = false;
        }

        Head = _tail = null;
        _permits = 0;
        _count = 0;
        return abandoned;
    }
}
