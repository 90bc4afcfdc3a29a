using System;

namespace ThrottleKit;

/// <summary>
/// What the service's answers say about its quota, and where the rate goes after a throttle. Not thread-safe: its owner locks.
/// </summary>
/// <remarks>
/// The one exact reading there is: from a service's throttle on, its bucket is empty, so while it keeps throttling it
/// accepts exactly its quota. Counting what it accepted between a decrease and the next throttle measures the quota; every
/// other reading (what went through over the last second) also holds whatever burst the service had saved.
/// </remarks>
internal sealed class QuotaTracker
{
    // Readings of the quota within this fraction of each other are taken as the same quota.
    private const double QuotaTolerance = 0.1;

    // A second's count is off by a permit or two: what the service had saved, and where the second's edges fall.
    private const double CountingSlack = 2;

    // Throttled after sending at (about) the current rate for a whole second: the service took everything until now.
    private const double SteadyTolerance = 0.05;

    private readonly long _ticksPerSecond;
    private readonly AcceptedRateWindow _lastSecond;
    private long _accepted;
    private bool _decreased;
    private long _lastDecrease;
    private long _acceptedAtLastDecrease;
    private double _rateSetLast;
    private double _pooledPermits;
    private double _pooledSeconds;

    public QuotaTracker(long ticksPerSecond, long now)
    {
        _ticksPerSecond = ticksPerSecond;
        _lastSecond = new AcceptedRateWindow(ticksPerSecond, now);
        _lastDecrease = now;
    }

    /// <summary>Gets when the rate was last decreased; until the first decrease, when tracking began.</summary>
    public long LastDecrease => _lastDecrease;

    /// <summary>Gets the quota measured, in permits per second; 0 while unknown.</summary>
    public double Estimate => _pooledSeconds > 0 ? _pooledPermits / _pooledSeconds : 0;

    public void OnAccepted(long now, int permits)
    {
        _lastSecond.Add(now, permits);
        _accepted += permits;
    }

    /// <summary>Gets the permits accepted over the last second, per second.</summary>
    public double LastSecond(long now) => _lastSecond.PerSecond(now);

    /// <summary>Decides the rate after a throttle.</summary>
    /// <param name="now">When the throttle came.</param>
    /// <param name="current">The rate the throttled request was sent under.</param>
    /// <param name="continuesEpisode">
    /// Whether the rate has not grown since the last decrease, so the service has been throttling (its bucket empty) since
    /// then.
    /// </param>
    /// <param name="margin">How far under the quota to settle.</param>
    /// <param name="decreaseFactor">The cut when nothing was measured.</param>
    public ThrottleDecision OnThrottled(long now, double current, bool continuesEpisode, double margin, double decreaseFactor)
    {
        var decision = Decide(now, current, continuesEpisode, margin, decreaseFactor);
        _rateSetLast = decision.Rate;
        return decision;
    }

    private ThrottleDecision Decide(long now, double current, bool continuesEpisode, double margin, double decreaseFactor)
    {
        var lastSecond = _lastSecond.PerSecond(now);
        var seconds = (now - _lastDecrease) / (double)_ticksPerSecond;
        var acceptedSince = _accepted - _acceptedAtLastDecrease;
        var sinceLastDecrease = _decreased && seconds > 0 ? acceptedSince / seconds : (double?)null;
        _decreased = true;
        _lastDecrease = now;
        _acceptedAtLastDecrease = _accepted;

        // The service's bucket was empty at the last decrease (a throttle) and is empty now; in between it accepted what it
        // refilled: its quota, less whatever overflowed a full bucket. So the rate since then is the quota, or a little under
        // it: the quota when the service kept throttling all along, or when the last second, which also holds what the
        // service had saved, reads no more. But a throttle while the rate was at or under the quota known, after the service
        // took all of it, says only that the quota fell.
        var fell = sinceLastDecrease >= _rateSetLast * (1 - margin) && (continuesEpisode || current <= Estimate * (1 + margin));
        if (!fell && sinceLastDecrease is { } measured
            && (continuesEpisode || lastSecond <= (measured * (1 + QuotaTolerance)) + CountingSlack))
        {
            Pool(measured, acceptedSince, seconds);
            return Measured(current, Estimate * (1 - margin), Estimate, measured, ThrottleReading.SinceLastDecrease);
        }

        if (fell || lastSecond >= current * (1 - SteadyTolerance))
        {
            // Throttled at a rate the service had been taking: the quota fell, or the service had been spending a burst.
            // Nothing is measured: cut by the factor, and let the next throttles measure; the curve aims back at what went
            // through.
            return new ThrottleDecision(current * decreaseFactor, lastSecond, lastSecond, ThrottleReading.NothingMeasured);
        }

        // Climbing: the service took the last second's traffic, which may hold a burst it had saved (at the start, or after
        // its quota rose). Cut by the factor from what it took, but not under what it took since the last decrease.
        var rate = Math.Min(lastSecond * (1 - margin), Math.Max(lastSecond * decreaseFactor, sinceLastDecrease ?? 0));
        return new ThrottleDecision(Math.Min(current, rate), lastSecond, lastSecond, ThrottleReading.LastSecond);
    }

    // Readings that agree with the estimate are pooled into it, so it sharpens; one that does not means the quota changed,
    // and starts it afresh.
    private void Pool(double measured, long permits, double seconds)
    {
        var estimate = Estimate;
        if (estimate == 0 || Math.Abs(measured - estimate) > estimate * QuotaTolerance)
        {
            _pooledPermits = _pooledSeconds = 0;
        }

        _pooledPermits += permits;
        _pooledSeconds += seconds;
    }

    private static ThrottleDecision Measured(double current, double rate, double peak, double accepted, ThrottleReading reading)
    {
        // One reading never more than halves the rate, nor raises it.
        rate = Math.Min(current, Math.Max(rate, current / 2));
        return new ThrottleDecision(rate, Math.Max(peak, rate), accepted, reading);
    }
}
