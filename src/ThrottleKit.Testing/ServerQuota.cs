using System;

namespace ThrottleKit.Testing;

/// <summary>
/// The service side of one account's quota in one Region: a plain token bucket, written independently of ThrottleKit's
/// limiter so that a bug in one cannot hide in the other, and its 24-hour count. Refused requests cost nothing, as with AWS.
/// </summary>
internal sealed class ServerQuota
{
    private readonly object _lock = new();
    private double _rate;
    private double _burst;
    private double _tokens;
    private TimeSpan _last;
    private long _sentToday;

    public ServerQuota(double rate, double burst, long? dailyQuota, TimeSpan now)
    {
        _rate = rate;
        _burst = burst;
        _tokens = burst;
        _last = now;
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

    public void Change(double rate, double burst, TimeSpan now)
    {
        lock (_lock)
        {
            Refill(now);
            _rate = rate;
            _burst = burst;
            _tokens = Math.Min(_tokens, burst);
        }
    }

    /// <summary>Decides one request of <paramref name="cost"/> at <paramref name="now"/>, the time the bucket refills by.</summary>
    public EmulatorOutcome TryConsume(int cost, TimeSpan now)
    {
        lock (_lock)
        {
            if (DailyQuota is { } daily && _sentToday + cost > daily)
            {
                return EmulatorOutcome.DailyQuotaExceeded;
            }

            Refill(now);

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
