using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// A limiter that takes its permits from a shared one (a bucket in Redis, say) in leases: one acquire of as many permits as
/// this process asked for over the last <see cref="LeasingRateLimiterOptions.LeasePeriod"/>, granted to callers locally
/// until they run out or the lease expires. A fleet then makes one store call per lease instead of one per permit, and
/// each process's share follows its demand: the shared bucket grants leases in the order they are asked for.
/// </summary>
/// <remarks>
/// <para>
/// Every permit a caller gets was granted by the shared bucket, so the fleet never spends more than it; a permit may only be
/// spent up to one lease period after the bucket counted it. In any window <c>w</c> the fleet puts at most
/// <c>burst + rate · (w + LeasePeriod)</c> out: <c>rate · LeasePeriod</c> is the lease allowance.
/// </para>
/// <para>
/// A lease is renewed ahead of time, when less than an eighth of a period's demand is left, with at most one request to the
/// shared bucket in flight. What is left when a lease expires is given back to a shared
/// <see cref="IRefundableRateLimiter"/>, so a process that goes quiet hands its share back within one lease period. Callers
/// wait in the order they came. A request that costs more than <see cref="LeasingRateLimiterOptions.MaxPermitsPerLease"/>
/// goes to the shared bucket on its own.
/// </para>
/// </remarks>
public sealed class LeasingRateLimiter : RateLimiter, IAdjustableRateLimiter, IPausableRateLimiter
{
    private readonly RateLimiter _shared;
    private readonly bool _ownsShared;
    private readonly TimeProvider _timeProvider;
    private readonly long _periodTicks;
    private readonly int _maxPerLease;
    private readonly object _lock = new();
    private readonly Queue<Lease> _leases = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly ITimer _expiry;
    private readonly CancellationTokenSource _disposing = new();
    private long _inHand;
    private long _queued;
    private long _askedThisPeriod;
    private long _askedLastPeriod;
    private long _periodStart;
    private long _lastAcquired;
    private bool _renewing;
    private long _successfulLeases;
    private long _failedLeases;
    private long _sharedAcquires;
    private int _disposed;

    /// <summary>Creates a limiter that takes its permits from <paramref name="shared"/> in leases.</summary>
    /// <param name="shared">The limiter the fleet shares; its rate and pauses are this limiter's.</param>
    /// <param name="options">The lease period and the most permits a lease holds; validated and copied.</param>
    /// <param name="timeProvider">The clock leases expire by.</param>
    /// <param name="ownsShared">Whether disposing this limiter disposes <paramref name="shared"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shared"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public LeasingRateLimiter(RateLimiter shared, LeasingRateLimiterOptions options, TimeProvider? timeProvider = null, bool ownsShared = true)
    {
        _shared = Guard.NotNull(shared, nameof(shared));
        OptionsValidation.ThrowIfInvalid(Guard.NotNull(options, nameof(options)), nameof(options));
        _ownsShared = ownsShared;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _periodTicks = (long)(options.LeasePeriod.TotalSeconds * _timeProvider.TimestampFrequency);
        LeasePeriod = options.LeasePeriod;
        _maxPerLease = options.MaxPermitsPerLease;
        _expiry = _timeProvider.CreateTimer(static state => ((LeasingRateLimiter)state!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _periodStart = _lastAcquired = _timeProvider.GetTimestamp();
    }

    /// <summary>Gets how long a lease's permits may be spent after the shared bucket granted them.</summary>
    public TimeSpan LeasePeriod { get; }

    /// <summary>Gets how many acquires this limiter has made of the shared one: the store calls its leases cost.</summary>
    public long SharedAcquires => Interlocked.Read(ref _sharedAcquires);

    /// <summary>Gets the shared limiter's rate, or zero when it has no rate to tell.</summary>
    public double PermitsPerSecond => (_shared as IAdjustableRateLimiter)?.PermitsPerSecond ?? 0;

    /// <inheritdoc />
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count == 0 && _inHand == 0 && !_renewing ? _timeProvider.GetElapsedTime(_lastAcquired) : null;
            }
        }
    }

    /// <summary>Changes the shared limiter's rate (it must be an <see cref="IAdjustableRateLimiter"/>).</summary>
    /// <param name="permitsPerSecond">The new rate.</param>
    /// <exception cref="NotSupportedException">The shared limiter's rate cannot be changed.</exception>
    public void SetRate(double permitsPerSecond)
    {
        ThrowIfDisposed();
        if (_shared is not IAdjustableRateLimiter adjustable)
        {
            throw new NotSupportedException($"The shared limiter, a {_shared.GetType().Name}, is not an {nameof(IAdjustableRateLimiter)}: its rate cannot be changed.");
        }

        adjustable.SetRate(permitsPerSecond);
    }

    /// <summary>
    /// Gives back the permits in hand, which must not be spent during the pause, and pauses the shared limiter (when it is an
    /// <see cref="IPausableRateLimiter"/>), so the fleet holds back too.
    /// </summary>
    /// <param name="duration">How long to hold back, between zero and one hour.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative or longer than an hour.</exception>
    public void Pause(TimeSpan duration)
    {
        Guard.Pause(duration);
        ThrowIfDisposed();
        long unused;
        lock (_lock)
        {
            unused = _inHand;
            _inHand = 0;
            _leases.Clear();
        }

        // Given back first: the pause then moves the bucket past the permits returned too.
        Refund(unused);
        (_shared as IPausableRateLimiter)?.Pause(duration);
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        ThrowIfDisposed();
        lock (_lock)
        {
            DropExpired(_timeProvider.GetTimestamp(), out _);
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _inHand,
                CurrentQueuedCount = _queued,
                TotalSuccessfulLeases = Interlocked.Read(ref _successfulLeases),
                TotalFailedLeases = Interlocked.Read(ref _failedLeases),
            };
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfDisposed();

        // The renewal the first look starts may bring a lease at once (a shared bucket that answers at once): a second look.
        if (TakeOrQueue(permitCount, waiter: null) || TakeOrQueue(permitCount, waiter: null, ask: false))
        {
            return Count(PermitLease.Granted);
        }

        // Nothing in hand: the shared bucket decides this one on its own, and the next lease is sized for it.
        Interlocked.Increment(ref _sharedAcquires);
        return Count(_shared.AttemptAcquire(permitCount));
    }

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (permitCount > _maxPerLease)
        {
            Interlocked.Increment(ref _sharedAcquires);
            return Count(await _shared.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false));
        }

        // A waiter is made only when the leases in hand do not serve the call (the second look may still find a lease).
        Waiter? waiter = null;
        if (TakeOrQueue(permitCount, waiter) || TakeOrQueue(permitCount, waiter = new Waiter(this, permitCount, cancellationToken), ask: false))
        {
            return Count(PermitLease.Granted);
        }

        using (cancellationToken.Register(static state => ((Waiter)state!).Limiter.Cancel((Waiter)state!), waiter))
        {
            return Count(await waiter.Task.ConfigureAwait(false));
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _disposing.Cancel();
            _expiry.Dispose();
            Waiter[] waiting;
            long unused;
            lock (_lock)
            {
                waiting = [.. _waiters];
                _waiters.Clear();
                _queued = 0;
                unused = _inHand;
                _inHand = 0;
                _leases.Clear();
            }

            foreach (var waiter in waiting)
            {
                waiter.Fail(new ObjectDisposedException(GetType().FullName, "The limiter was disposed while the call waited."));
            }

            if (_ownsShared)
            {
                _shared.Dispose();
            }
            else
            {
                Refund(unused);
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Takes <paramref name="permitCount"/> from the leases in hand when nobody waits before, or else queues
    /// <paramref name="waiter"/> (when there is one); starts a renewal when one is due and gives back what expired.
    /// </summary>
    private bool TakeOrQueue(int permitCount, Waiter? waiter, bool ask = true)
    {
        long expired;
        bool taken;
        bool renew;
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            DropExpired(now, out expired);
            if (ask)
            {
                Ask(permitCount, now);
            }

            taken = _waiters.Count == 0 && _inHand >= permitCount;
            if (taken)
            {
                Spend(permitCount);
            }
            else if (waiter is not null)
            {
                waiter.Node = _waiters.AddLast(waiter);
                _queued += permitCount;
            }

            renew = StartRenewalIfDue();
        }

        Refund(expired);
        if (renew)
        {
            _ = RenewAsync();
        }

        return taken;
    }

    /// <summary>Notes what callers asked for, by lease period: the next lease is sized by it.</summary>
    private void Ask(int permitCount, long now)
    {
        _lastAcquired = now;
        var periods = (now - _periodStart) / _periodTicks;
        if (periods > 0)
        {
            _askedLastPeriod = periods == 1 ? _askedThisPeriod : 0;
            _askedThisPeriod = 0;
            _periodStart += periods * _periodTicks;
        }

        _askedThisPeriod += permitCount;
    }

    /// <summary>How many permits the next lease asks for: what waits, or else a period's demand topped up, within the cap.</summary>
    private int LeaseSize()
    {
        var demand = Math.Max(_askedLastPeriod, _askedThisPeriod);
        var wanted = Math.Max(_queued, demand - _inHand);
        return (int)Math.Max(1, Math.Min(wanted, _maxPerLease));
    }

    /// <summary>
    /// Under the lock: whether a renewal should start now: callers wait, or less than an eighth of a period's demand is in
    /// hand — early enough for a store's round trip, late enough that a lease is spent before it expires (about one store
    /// call a lease period).
    /// </summary>
    private bool StartRenewalIfDue()
    {
        if (_renewing || Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        var demand = Math.Max(_askedLastPeriod, _askedThisPeriod);
        if (_waiters.Count == 0 && (demand == 0 || _inHand * 8 > demand))
        {
            return false;
        }

        _renewing = true;
        return true;
    }

    private async Task RenewAsync()
    {
        while (true)
        {
            int size;
            lock (_lock)
            {
                size = LeaseSize();
            }

            RateLimitLease lease;
            try
            {
                Interlocked.Increment(ref _sharedAcquires);
                lease = await _shared.AcquireAsync(size, _disposing.Token).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                // Disposed, or the shared limiter failed (a store failing closed): the waiting callers get what it threw.
                FailWaiters(error is OperationCanceledException && _disposing.IsCancellationRequested
                    ? new ObjectDisposedException(GetType().FullName, "The limiter was disposed while the call waited.")
                    : error);
                return;
            }

            List<Waiter> granted = [];
            Waiter? refused = null;
            bool more;
            using (lease)
            {
                lock (_lock)
                {
                    var now = _timeProvider.GetTimestamp();
                    if (lease.IsAcquired)
                    {
                        var first = _leases.Count == 0;
                        _leases.Enqueue(new Lease(size, now + _periodTicks));
                        _inHand += size;
                        if (first)
                        {
                            Arm(LeasePeriod);
                        }
                    }
                    else if (_waiters.First is { } head)
                    {
                        // The shared bucket refused (its queue limit): the first caller hears it, as it would have alone.
                        refused = head.Value;
                        Remove(refused);
                    }

                    while (_waiters.First is { } next && next.Value.Permits <= _inHand)
                    {
                        Spend(next.Value.Permits);
                        Remove(next.Value);
                        granted.Add(next.Value);
                    }

                    _renewing = false;
                    more = StartRenewalIfDue();
                }

                refused?.Complete(lease);
            }

            foreach (var waiter in granted)
            {
                waiter.Complete(PermitLease.Granted);
            }

            if (!more)
            {
                return;
            }
        }
    }

    private void Cancel(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }

            Remove(waiter);
        }

        waiter.Cancel();
    }

    private void FailWaiters(Exception error)
    {
        Waiter[] waiting;
        lock (_lock)
        {
            waiting = [.. _waiters];
            _waiters.Clear();
            _queued = 0;
            _renewing = false;
        }

        foreach (var waiter in waiting)
        {
            waiter.Fail(error);
        }
    }

    private void Remove(Waiter waiter)
    {
        _waiters.Remove(waiter.Node!);
        _queued -= waiter.Permits;
    }

    /// <summary>The timer: gives back what expired leases left, and waits for the next to expire.</summary>
    private void Expire()
    {
        long expired;
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            DropExpired(now, out expired);
            if (_leases.Count > 0)
            {
                Arm(_timeProvider.GetElapsedTime(now, _leases.Peek().ExpiresAt));
            }
        }

        Refund(expired);
    }

    private void Arm(TimeSpan dueIn)
    {
        try
        {
            _expiry.Change(dueIn, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: nothing is left to expire.
        }
    }

    /// <summary>Under the lock: spends <paramref name="permits"/> of the leases in hand, the oldest first.</summary>
    private void Spend(long permits)
    {
        _inHand -= permits;
        while (permits > 0)
        {
            var oldest = _leases.Peek();
            var used = Math.Min(permits, oldest.Left);
            oldest.Left -= used;
            permits -= used;
            if (oldest.Left == 0)
            {
                _leases.Dequeue();
            }
        }
    }

    /// <summary>Under the lock: drops the leases that expired; <paramref name="expired"/> is what they left.</summary>
    private void DropExpired(long now, out long expired)
    {
        expired = 0;
        while (_leases.Count > 0 && _leases.Peek().ExpiresAt <= now)
        {
            expired += _leases.Dequeue().Left;
        }

        _inHand -= expired;
    }

    private void Refund(long permits)
    {
        if (permits > 0 && _shared is IRefundableRateLimiter refundable && Volatile.Read(ref _disposed) == 0)
        {
            refundable.Refund((int)Math.Min(permits, int.MaxValue));
        }
    }

    private RateLimitLease Count(RateLimitLease lease)
    {
        Interlocked.Increment(ref lease.IsAcquired ? ref _successfulLeases : ref _failedLeases);
        return lease;
    }

    private void ThrowIfDisposed() => Guard.NotDisposed(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Permits the shared bucket granted in one acquire: how many are left to spend, and when they expire (a timestamp).</summary>
    private sealed class Lease(long permits, long expiresAt)
    {
        public long Left { get; set; } = permits;

        public long ExpiresAt { get; } = expiresAt;
    }

    /// <summary>A caller waiting for permits from the next lease.</summary>
    private sealed class Waiter(LeasingRateLimiter limiter, int permits, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<RateLimitLease> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LeasingRateLimiter Limiter { get; } = limiter;

        public int Permits { get; } = permits;

        public LinkedListNode<Waiter>? Node { get; set; }

        public Task<RateLimitLease> Task => _outcome.Task;

        public void Complete(RateLimitLease lease) => _outcome.TrySetResult(lease);

        public void Fail(Exception error) => _outcome.TrySetException(error);

        public void Cancel() => _outcome.TrySetCanceled(cancellationToken);
    }
}
