using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// A rate limiter (a <see cref="GcraRateLimiter"/>, or any <see cref="IAdjustableRateLimiter"/> such as a distributed
/// one) whose rate follows the service's real quota: an executor reports each accepted and throttled attempt
/// (<see cref="IRateFeedback"/>); after a throttle the rate drops to just under the quota the service was measured to accept,
/// and between throttles it grows back along a cubic curve. A burst of throttles from one congestion event counts as one
/// decrease. Share one instance among every client and executor that spends the same quota.
/// </summary>
/// <remarks>
/// <para>
/// The measurement: a service throttles when its own token bucket is empty. Between two throttles it accepted exactly what it
/// refilled, its quota (less whatever overflowed a full bucket), so the permits accepted between a decrease and the next
/// throttle, over that time, read the quota; readings that agree are pooled, so the estimate sharpens with every probe. When
/// there is no such reading (the first throttle; a burst the service had saved hiding its limit; a quota that fell), the rate
/// is cut by <see cref="AdaptiveRateOptions.DecreaseFactor"/> and the next throttles measure.
/// </para>
/// <para>
/// A local bucket starts empty but for one permit: the starting rate is only a guess, and a burst spent on top of it before
/// any answer has come back is how a cold start gets throttled.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The two constructors differ in their first, required parameter (the options of a bucket of its own, or the limiter to steer), never in their optional ones.")]
public sealed class AdaptiveRateLimiter : RateLimiter, IRateFeedback, IAdjustableRateLimiter, IPausableRateLimiter
{
    // A reading of the quota wants at least this many permits' worth of answers behind it.
    private const int MinReadingPermits = 5;

    private readonly object _lock = new();
    private readonly RateLimiter _bucket;
    private readonly IAdjustableRateLimiter _rate;
    private readonly TimeProvider _timeProvider;
    private readonly ThrottleKitTelemetry _telemetry;
    private readonly double _configuredMin;
    private double _min;
    private double _max;
    private readonly double _decreaseFactor;
    private readonly double _margin;
    private readonly double _growth;
    private readonly long _congestionWindowTicks;
    private readonly long _holdTicks;
    private readonly QuotaTracker _quota;
    private double _peak;
    private double _timeToPeak;
    private double _applied;
    private int _decreases;
    private bool _disposed;

    /// <summary>Creates an adaptive limiter over a <see cref="GcraRateLimiter"/> of its own.</summary>
    /// <param name="rateLimit">The bucket; its <see cref="GcraRateLimiterOptions.PermitsPerSecond"/> is the starting rate.</param>
    /// <param name="adaptive">How the rate adapts; <see cref="AdaptiveRateOptions.Enabled"/> is not consulted here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where rate changes are logged; nowhere when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An options argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public AdaptiveRateLimiter(GcraRateLimiterOptions rateLimit, AdaptiveRateOptions adaptive, TimeProvider? timeProvider = null, ThrottleKitTelemetry? telemetry = null)
        : this(new GcraRateLimiter(rateLimit, timeProvider), adaptive, timeProvider, telemetry)
    {
    }

    /// <summary>Creates an adaptive limiter that steers the rate of <paramref name="inner"/>, which it then owns and disposes.</summary>
    /// <param name="inner">
    /// The limiter to steer, an <see cref="IAdjustableRateLimiter"/>; its current rate is where the adaptive rate starts. A
    /// distributed limiter shares the rate with every process.
    /// </param>
    /// <param name="adaptive">How the rate adapts; <see cref="AdaptiveRateOptions.Enabled"/> is not consulted here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where rate changes are logged; nowhere when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> is not an <see cref="IAdjustableRateLimiter"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public AdaptiveRateLimiter(RateLimiter inner, AdaptiveRateOptions adaptive, TimeProvider? timeProvider = null, ThrottleKitTelemetry? telemetry = null)
    {
        if (Guard.NotNull(inner) is not IAdjustableRateLimiter)
        {
            throw new ArgumentException($"An adaptive rate needs a limiter whose rate can be changed ({nameof(IAdjustableRateLimiter)}); {inner.GetType()} is not one.", nameof(inner));
        }

        OptionsValidation.ThrowIfInvalid(adaptive, nameof(adaptive));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _bucket = inner;
        _rate = (IAdjustableRateLimiter)inner;
        _telemetry = telemetry ?? ThrottleKitTelemetry.Silent;
        _min = _configuredMin = adaptive.MinPermitsPerSecond;
        _max = adaptive.MaxPermitsPerSecond;
        _decreaseFactor = adaptive.DecreaseFactor;
        _margin = adaptive.Margin;
        _growth = adaptive.Growth;
        _congestionWindowTicks = (long)(adaptive.CongestionWindow.TotalSeconds * _timeProvider.TimestampFrequency);
        _holdTicks = (long)(adaptive.HoldTime.TotalSeconds * _timeProvider.TimestampFrequency);
        _quota = new QuotaTracker(_timeProvider.TimestampFrequency, _timeProvider.GetTimestamp());
        _applied = _peak = Math.Min(Math.Max(_rate.PermitsPerSecond, _min), _max);
        _rate.SetRate(_applied);

        // No burst on top of a guessed rate (see remarks). A shared bucket is left as it is: other processes are spending it.
        (inner as GcraRateLimiter)?.Drain();
    }

    /// <summary>Gets the rate in force, in permits per second.</summary>
    public double PermitsPerSecond => _rate.PermitsPerSecond;

    /// <summary>Gets the limiter whose rate this one steers.</summary>
    internal RateLimiter Bucket => _bucket;

    /// <summary>Sets the rate in force, within the floor and the ceiling; from there it adapts as before.</summary>
    /// <param name="permitsPerSecond">The new rate, between 0.000001 and 10⁹ permits per second.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is out of that range.</exception>
    public void SetRate(double permitsPerSecond)
    {
        Guard.Rate(permitsPerSecond);
        lock (_lock)
        {
            Apply(Math.Min(Math.Max(permitsPerSecond, _min), _max));
        }
    }

    /// <inheritdoc />
    /// <remarks>Pauses the limiter it steers when that one can pause (<see cref="IPausableRateLimiter"/>); otherwise does nothing.</remarks>
    public void Pause(TimeSpan duration)
    {
        Guard.Pause(duration);
        (_bucket as IPausableRateLimiter)?.Pause(duration);
    }

    /// <summary>Gets how many decreases (congestion events) there have been.</summary>
    public int Decreases => Volatile.Read(ref _decreases);

    /// <summary>
    /// Lowers or raises the ceiling (<see cref="AdaptiveRateOptions.MaxPermitsPerSecond"/>), for example to the rate the account's
    /// quota allows; a rate in force above it drops to it at once. The lower of the two wins: a ceiling below the floor
    /// (<see cref="AdaptiveRateOptions.MinPermitsPerSecond"/>) lowers the floor to it, since the account's quota is a fact and the
    /// floor a guess.
    /// </summary>
    /// <param name="permitsPerSecond">The new ceiling, between 0.000001 and 10⁹ permits per second.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permitsPerSecond"/> is out of that range.</exception>
    public void SetMaxRate(double permitsPerSecond)
    {
        Guard.Rate(permitsPerSecond);
        lock (_lock)
        {
            _max = permitsPerSecond;
            _min = Math.Min(_configuredMin, permitsPerSecond);
            _peak = Math.Min(_peak, permitsPerSecond);
            if (_applied > permitsPerSecond)
            {
                Apply(permitsPerSecond);
            }
        }
    }

    /// <summary>Gets the floor in force: the configured one, or the ceiling when that is lower.</summary>
    public double MinPermitsPerSecond
    {
        get
        {
            lock (_lock)
            {
                return _min;
            }
        }
    }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => _bucket.IdleDuration;

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => _bucket.GetStatistics();

    /// <inheritdoc />
    public void OnAccepted(int permits)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            _quota.OnAccepted(now, permits);
            // After a decrease the curve starts once the hold is over.
            var sinceDecrease = now - _quota.LastDecrease;
            var seconds = (_decreases > 0 ? Math.Max(0, sinceDecrease - _holdTicks) : sinceDecrease) / (double)_timeProvider.TimestampFrequency;

            // Growth is bounded by twice the accepted rate: with little demand, the rate must not drift far above what
            // the service has been seen to take.
            var target = Math.Min(
                CubicRecovery.RateAt(seconds, _peak, _timeToPeak, _growth, _min, _max),
                Math.Max(_peak, 2 * _quota.LastSecond(now)));
            if (Math.Abs(target - _applied) >= _applied * 0.005)
            {
                Apply(target);
            }
        }
    }

    /// <inheritdoc />
    public void OnThrottled()
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            // One congestion event: answers to requests sent before the last decrease, or too few answers since it to read
            // the quota from.
            var sinceDecrease = now - _quota.LastDecrease;
            var window = Math.Max(_congestionWindowTicks, MinReadingPermits * _timeProvider.TimestampFrequency / _applied);
            if (_decreases > 0 && sinceDecrease < window)
            {
                return;
            }

            var before = _applied;
            var continuesEpisode = _decreases > 0 && sinceDecrease < _holdTicks;
            var decision = _quota.OnThrottled(now, before, continuesEpisode, _margin, _decreaseFactor);
            var rate = Math.Min(Math.Max(decision.Rate, _min), _max);
            _peak = Math.Min(Math.Max(decision.Peak, rate), _max);
            _timeToPeak = CubicRecovery.TimeToPeak(_peak, rate, _growth);
            Interlocked.Increment(ref _decreases);
            Apply(rate);
            AdaptiveRateLog.RateDecreased(_telemetry, before, rate, decision.Accepted, decision.Reading);
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _bucket.AttemptAcquire(permitCount);

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => _bucket.AcquireAsync(permitCount, cancellationToken);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _disposed = true;
            }

            _bucket.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        await _bucket.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private void Apply(double rate)
    {
        // Answers to calls made before disposal may still arrive; they no longer steer anything.
        if (!_disposed)
        {
            _applied = rate;
            _rate.SetRate(rate);
        }
    }
}
