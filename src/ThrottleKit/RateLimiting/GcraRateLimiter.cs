using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// A token bucket with a fractional rate, kept as one number (GCRA, the generic cell rate algorithm: the time at which the
/// bucket is full again) and refilled lazily from <see cref="TimeProvider"/> timestamps: no timer runs while nobody waits,
/// and at most one timer (for the head of the queue) while somebody does.
/// </summary>
/// <remarks>
/// <para>
/// Guarantee: in any interval of length <c>T</c> the permits granted are at most <c>Burst + PermitsPerSecond · T</c>, or
/// <c>Burst + PermitsPerSecond · (T + QueuedLateness)</c> when queued requests were granted by a timer that woke late (and
/// requests that arrived just after it emptied the queue counted from then).
/// A request may cost several permits. With <see cref="GcraRateLimiterOptions.AllowBorrowing"/> a request that costs more
/// than <see cref="Burst"/> is granted once the bucket is full and leaves it in debt, which later requests wait out (it
/// borrows, so it can never deadlock); only then may the window hold more than <c>Burst</c> up front. Without it, such a
/// request is refused with <see cref="ArgumentOutOfRangeException"/>, as the limiters of <c>System.Threading.RateLimiting</c> do.
/// </para>
/// <para>
/// Waiters of one priority and flow are served first in, first out: a small request never overtakes a large one that
/// queued before it. A waiter of a higher <see cref="ThrottlePriority"/> (<see cref="PriorityScope"/>) goes before lower
/// ones, which are still assured <see cref="GcraRateLimiterOptions.PriorityFloor"/> of the rate; flows of one priority share
/// it by weight. Cancelling a waiter removes it from the queue and consumes nothing.
/// </para>
/// <para>
/// Because it is a <see cref="RateLimiter"/>, it plugs into Polly's <c>AddRateLimiter</c>, ASP.NET Core rate limiting and
/// anything else built on <c>System.Threading.RateLimiting</c>.
/// </para>
/// </remarks>
public sealed class GcraRateLimiter : RateLimiter, IAdjustableRateLimiter, IPausableRateLimiter
{
    private readonly object _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _ticksPerSecond;
    private readonly int _queueLimit;
    private readonly bool _allowBorrowing;

    private readonly long _origin;
    private readonly double _latenessTicks;

    // The arrival time (GCRA), in ticks since _origin: when the bucket is full again. Changed by compare-and-swap, so
    // the fast path needs no lock; everything else that changes is guarded by _lock.
    private double _arrival;

    // When the timer last granted the queue empty (ticks since _origin). A request that arrives soon after counts from
    // then: at thousands of permits a second the callers just released are still on their way back (a thread-pool hop is
    // longer than an interval), and without this the time they spent travelling would be lost from the rate.
    private double _drainedAt = double.NegativeInfinity;
    private volatile GcraSchedule _schedule;
    private volatile bool _disposed;
    private long _successfulLeases;
    private long _failedLeases;

    private readonly GcraWaiterQueue _queue;
    private ITimer? _timer;

    /// <summary>
    /// How late a queued request may be granted and still count from when it was due: the lateness of a timer's wake-up
    /// (about 1 ms on Linux, up to 15.6 ms on Windows) is not lost from the rate, and in any window w the limiter grants at
    /// most <c>Burst + PermitsPerSecond · (w + QueuedLateness)</c>. A request that arrives within this time of the queue
    /// being granted empty counts from that moment, as if it had waited there; after a longer pause, only from its arrival.
    /// </summary>
    public static readonly TimeSpan QueuedLateness = TimeSpan.FromMilliseconds(20);

    /// <summary>Creates a limiter.</summary>
    /// <param name="options">The rate, burst and queue limit; copied, so later changes to it have no effect.</param>
    /// <param name="timeProvider">The clock and timers to use; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public GcraRateLimiter(GcraRateLimiterOptions options, TimeProvider? timeProvider = null)
    {
        OptionsValidation.ThrowIfInvalid(options, nameof(options));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _ticksPerSecond = _timeProvider.TimestampFrequency;
        _latenessTicks = QueuedLateness.TotalSeconds * _ticksPerSecond;
        _queueLimit = options.QueueLimit;
        _allowBorrowing = options.AllowBorrowing;
        _queue = new GcraWaiterQueue(options.PriorityFloor);
        _schedule = new GcraSchedule(options.PermitsPerSecond, GcraDefaults.EffectiveBurst(options.PermitsPerSecond, options.Burst), options.JitterAllowance, _ticksPerSecond);
        _origin = _timeProvider.GetTimestamp();

        // Full from the start for at least the jitter allowance, as after any idle spell; or empty but for one permit.
        _arrival = options.StartEmpty ? _schedule.SlackTicksForOne : -_schedule.AllowanceTicks;
    }

    /// <summary>Gets the current rate in permits per second.</summary>
    public double PermitsPerSecond => _schedule.PermitsPerSecond;

    /// <summary>Gets the bucket capacity in permits.</summary>
    public int Burst => _schedule.Burst;

    /// <summary>Gets how much of the burst is kept in hand for requests that reach the service early (<see cref="GcraRateLimiterOptions.JitterAllowance"/>).</summary>
    public TimeSpan JitterAllowance => _schedule.JitterAllowance;

    /// <summary>Gets how many permits may wait in the queue.</summary>
    public int QueueLimit => _queueLimit;

    /// <summary>Gets whether a request may cost more than <see cref="Burst"/> (<see cref="GcraRateLimiterOptions.AllowBorrowing"/>).</summary>
    public bool AllowBorrowing => _allowBorrowing;

    /// <summary>Gets how many whole permits a request could take now; negative while a borrowing request is paid back.</summary>
    public long AvailablePermits
    {
        get
        {
            var schedule = _schedule;
            return GcraMath.AvailablePermits(Volatile.Read(ref _arrival) - Now(), schedule.Burst, schedule.IntervalTicks, schedule.AllowanceTicks);
        }
    }

    /// <summary>Gets how many permits, summed over requests, are waiting in the queue.</summary>
    public long QueuedPermits => _queue.Permits;

    /// <summary>Gets how many requests of <paramref name="priority"/> are waiting in the queue.</summary>
    /// <param name="priority">The priority.</param>
    /// <returns>The count, read without a lock.</returns>
    public int QueuedRequests(ThrottlePriority priority) => _queue.CountOf(priority);

    /// <inheritdoc />
    /// <remarks>How long the bucket has been full with nobody waiting; <see langword="null"/> while it is not.</remarks>
    public override TimeSpan? IdleDuration
    {
        get
        {
            if (_queue.Count != 0)
            {
                return null;
            }

            var idleTicks = Now() - Volatile.Read(ref _arrival);
            return idleTicks >= 0 ? GcraMath.ToTimeSpan(idleTicks, _ticksPerSecond) : null;
        }
    }

    /// <summary>
    /// Changes the rate from now on. The debt the bucket holds is carried over in permits, so waiters, including those
    /// already queued, are served at the new rate.
    /// </summary>
    /// <param name="permitsPerSecond">The new rate, between 0.000001 and 10⁹ permits per second.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is out of that range (NaN, infinities and denormals included).</exception>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public void SetRate(double permitsPerSecond)
    {
        Guard.Rate(permitsPerSecond);
        GcraWaiter? granted;
        lock (_lock)
        {
            ThrowIfDisposed();
            var old = _schedule;
            var updated = new GcraSchedule(permitsPerSecond, old.Burst, old.JitterAllowance, _ticksPerSecond);
            var now = Now();
            double current, next;
            do
            {
                current = Volatile.Read(ref _arrival);
                next = now + (Math.Max(0, current - now) / old.IntervalTicks * updated.IntervalTicks);
            }
            while (Interlocked.CompareExchange(ref _arrival, next, current) != current);

            _schedule = updated;
            granted = GrantQueuedLocked(now);
            ArmTimerLocked(now);
        }

        GcraWaiter.GrantAll(granted);
    }

    /// <summary>
    /// Empties the bucket but for one permit: from now on permits come at the rate, with no burst saved up. A limiter that
    /// stands in for another (a fleet's store while it is out of reach) starts this way, since the burst was already spent there.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public void Drain() => Pause(TimeSpan.Zero);

    /// <inheritdoc />
    /// <remarks>Queued requests stay queued; the head of the queue is granted when the pause ends.</remarks>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public void Pause(TimeSpan duration)
    {
        Guard.Pause(duration);
        lock (_lock)
        {
            ThrowIfDisposed();
            var empty = Now() + (duration.TotalSeconds * _ticksPerSecond) + _schedule.SlackTicksForOne;
            double current;
            do
            {
                current = Volatile.Read(ref _arrival);
            }
            while (current < empty && Interlocked.CompareExchange(ref _arrival, empty, current) != current);
        }
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        ThrowIfDisposed();
        var schedule = _schedule;
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = GcraMath.AvailablePermits(Volatile.Read(ref _arrival) - Now(), schedule.Burst, schedule.IntervalTicks, schedule.AllowanceTicks),
            CurrentQueuedCount = _queue.Permits,
            TotalFailedLeases = Interlocked.Read(ref _failedLeases),
            TotalSuccessfulLeases = Interlocked.Read(ref _successfulLeases),
        };
    }

    /// <inheritdoc />
    /// <remarks>A request never waits here: it is granted now or rejected with <see cref="MetadataName.RetryAfter"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitCount"/> is more than <see cref="Burst"/> without <see cref="AllowBorrowing"/>, or would leave more than a day of debt.</exception>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfDisposed();
        CheckCost(permitCount);
        var now = Now();
        if (_queue.Count == 0 && TryTake(permitCount, now, NewRequestFloor(now)))
        {
            return Granted();
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            if (_queue.Head is null && TryTake(permitCount, now, NewRequestFloor(now)))
            {
                return Granted();
            }

            return Rejected(RetryAfterLocked(permitCount, now), "No permits are available.");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Waits in first-in, first-out order. When the queue already holds <see cref="QueueLimit"/> permits, returns a lease
    /// that is not acquired, with <see cref="MetadataName.RetryAfter"/> and <see cref="MetadataName.ReasonPhrase"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitCount"/> is more than <see cref="Burst"/> without <see cref="AllowBorrowing"/>, or would leave more than a day of debt.</exception>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        CheckCost(permitCount);
        var now = Now();
        if (_queue.Count == 0 && TryTake(permitCount, now, NewRequestFloor(now)))
        {
            return new ValueTask<RateLimitLease>(Granted());
        }

        GcraWaiter waiter;
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_queue.Head is null && TryTake(permitCount, now, NewRequestFloor(now)))
            {
                return new ValueTask<RateLimitLease>(Granted());
            }

            if (_queue.Permits + permitCount > _queueLimit)
            {
                return new ValueTask<RateLimitLease>(Rejected(
                    RetryAfterLocked(permitCount, now),
                    $"The queue limit of {_queueLimit} permits is reached ({_queue.Permits} queued, {permitCount} requested)."));
            }

            waiter = new GcraWaiter(this, permitCount, PriorityScope.Current ?? RequestPriority.Default, cancellationToken);
            var head = _queue.Head;
            _queue.Enqueue(waiter);
            if (!ReferenceEquals(_queue.Head, head))
            {
                ArmTimerLocked(now);
            }
        }

        return waiter.WaitAsync();
    }

    /// <inheritdoc />
    /// <remarks>Waiters still queued fail with <see cref="ObjectDisposedException"/>.</remarks>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeQueueAndTimer();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        DisposeQueueAndTimer();
        return base.DisposeAsyncCore();
    }

    private void DisposeQueueAndTimer()
    {
        GcraWaiter? abandoned;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            abandoned = _queue.Clear();
            _timer?.Dispose();
            _timer = null;
        }

        for (var waiter = abandoned; waiter is not null;)
        {
            var next = waiter.Next;
            waiter.TrySetException(new ObjectDisposedException(nameof(GcraRateLimiter), "The rate limiter was disposed while this request waited for permits."));
            waiter = next;
        }
    }

    private void CheckCost(int permitCount)
    {
        var schedule = _schedule;
        GcraMath.CheckCost(permitCount, schedule.Burst, schedule.PermitsPerSecond, _allowBorrowing);
    }

    /// <summary>Takes <paramref name="cost"/> permits at <paramref name="now"/>, or at <paramref name="floor"/> when the schedule has fallen behind it.</summary>
    /// <param name="cost">The permits.</param>
    /// <param name="now">The time.</param>
    /// <param name="floor">
    /// The earliest time the schedule restarts from: <paramref name="now"/> for a new request (an idle bucket holds no more
    /// than its burst), up to <see cref="QueuedLateness"/> earlier for a queued one, which is granted by when it was due and
    /// not by when the timer woke: at a thousand permits a second and more the timer's own lateness would otherwise be lost
    /// from every interval (<see cref="NewRequestFloor"/> for a request that arrives just after the queue emptied).
    /// </param>
    private bool TryTake(int cost, double now, double floor)
    {
        var schedule = _schedule;
        var slack = cost == 1 ? schedule.SlackTicksForOne : schedule.SlackTicks(cost);
        var current = Volatile.Read(ref _arrival);
        while (true)
        {
            if (current - now > slack)
            {
                return false;
            }

            var start = current > floor ? current : floor;
            var seen = Interlocked.CompareExchange(ref _arrival, start + (cost * schedule.IntervalTicks), current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Where a new request's schedule may restart: when the timer granted the queue empty within <see cref="QueuedLateness"/>,
    /// from then, as if the request had waited in the queue; otherwise from <paramref name="now"/>.
    /// </summary>
    private double NewRequestFloor(double now)
    {
        var drainedAt = Volatile.Read(ref _drainedAt);
        return drainedAt >= now - _latenessTicks ? Math.Min(drainedAt, now) : now;
    }

    /// <summary>Ticks from <paramref name="now"/> until a request of <paramref name="cost"/> fits behind <paramref name="permitsAhead"/> queued permits.</summary>
    private double TicksUntilFits(int cost, double now, long permitsAhead)
    {
        var schedule = _schedule;
        var current = Volatile.Read(ref _arrival);
        var arrival = permitsAhead == 0 ? current : Math.Max(current, now) + (permitsAhead * schedule.IntervalTicks);
        return Math.Max(0, arrival - schedule.SlackTicks(cost) - now);
    }

    private TimeSpan RetryAfterLocked(int cost, double now)
        => GcraMath.ToTimeSpan(TicksUntilFits(cost, now, _queue.Permits), _ticksPerSecond);

    private PermitLease Granted()
    {
        Interlocked.Increment(ref _successfulLeases);
        return PermitLease.Granted;
    }

    private PermitLease Rejected(TimeSpan retryAfter, string reason)
    {
        Interlocked.Increment(ref _failedLeases);
        return PermitLease.Rejected(retryAfter, reason);
    }

    /// <summary>Grants queued requests in order while they fit; returns them chained through <see cref="GcraWaiter.Next"/>.</summary>
    private GcraWaiter? GrantQueuedLocked(double now)
    {
        GcraWaiter? first = null;
        GcraWaiter? last = null;
        var floor = now - _latenessTicks;
        while (_queue.Head is { } head && TryTake(head.Cost, now, floor))
        {
            _queue.Dequeue();
            Interlocked.Increment(ref _successfulLeases);
            if (last is null)
            {
                first = head;
            }
            else
            {
                last.Next = head;
            }

            last = head;
        }

        if (first is not null && _queue.Head is null)
        {
            Volatile.Write(ref _drainedAt, now);
        }

        return first;
    }

    private void ArmTimerLocked(double now)
    {
        // A fresh timer each time: re-arming a timer from inside its own callback is not honoured by every
        // TimeProvider, and a wake-up only happens when a waiter is due anyway.
        _timer?.Dispose();
        _timer = null;
        if (_queue.Head is null)
        {
            return;
        }

        var delay = GcraMath.TimerDelay(TicksUntilFits(_queue.Head.Cost, now, permitsAhead: 0), _ticksPerSecond);
        _timer = UnflowedTimer.Create(_timeProvider, static state => ((GcraRateLimiter)state!).OnTimer(), this, delay);
    }

    private void OnTimer()
    {
        GcraWaiter? granted;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = Now();
            granted = GrantQueuedLocked(now);
            ArmTimerLocked(now);
        }

        GcraWaiter.GrantAll(granted);
    }

    internal void Cancel(GcraWaiter waiter)
    {
        GcraWaiter? granted = null;
        lock (_lock)
        {
            if (!waiter.IsQueued)
            {
                return;
            }

            var head = _queue.Head;
            _queue.Remove(waiter);
            if (!ReferenceEquals(_queue.Head, head))
            {
                // The request now at the head may fit now, or later than the cancelled one would have.
                var now = Now();
                granted = GrantQueuedLocked(now);
                ArmTimerLocked(now);
            }
        }

        waiter.TrySetCanceled(waiter.CancellationToken);
        GcraWaiter.GrantAll(granted);
    }

    private double Now() => _timeProvider.GetTimestamp() - _origin;

    private void ThrowIfDisposed() => Guard.NotDisposed(_disposed, this);
}
