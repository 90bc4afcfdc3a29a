using System;

namespace ThrottleKit.Emulator;

/// <summary>
/// The service side of the quota: a plain token bucket, written independently of ThrottleKit's limiter so that a bug in
/// one cannot hide in the other. Refused requests cost nothing, as with AWS.
/// </summary>
internal sealed class ServerQuota
{
    private readonly object _lock = new();
    private double _rate;
    private double _burst;
    private double _tokens;
    private readonly Func<TimeSpan> _clock;
    private TimeSpan _last;
    private long _sentToday;

    public ServerQuota(double rate, double burst, long? dailyQuota, Func<TimeSpan> clock)
    {
        _clock = clock;
        _last = clock();
        _rate = rate;
        _burst = burst;
        _tokens = burst;
        DailyQuota = dailyQuota;
    }

    public long? DailyQuota { get; }

    public long SentToday
    {
        get
        {
            lock (_lock)
            {
                return _sentToday;
            }
        }
    }

    public void Change(double rate, double burst)
    {
        lock (_lock)
        {
            Refill(_clock());
            _rate = rate;
            _burst = burst;
            _tokens = Math.Min(_tokens, burst);
        }
    }

    /// <summary>Decides one request; <paramref name="decidedAt"/> is when, on the clock the bucket refills by.</summary>
    public EmulatorOutcome TryConsume(int cost, out TimeSpan decidedAt)
    {
        lock (_lock)
        {
            decidedAt = _clock();
            if (DailyQuota is { } daily && _sentToday + cost > daily)
            {
                return EmulatorOutcome.DailyQuotaExceeded;
            }

            Refill(decidedAt);

            // Like SES: a message with more recipients than the burst needs a full bucket, and leaves it in debt.
            if (_burst <= 0 || _tokens < Math.Min(cost, _burst))
            {
                return EmulatorOutcome.Throttled;
            }

            _tokens -= cost;
            _sentToday += cost;
            return EmulatorOutcome.Accepted;
        }
    }

    private void Refill(TimeSpan now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + (_rate * (now - _last).TotalSeconds));
            _last = now;
        }
    }
}
