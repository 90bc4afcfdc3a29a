using System;
using System.Collections.Concurrent;
using System.Linq;

namespace ThrottleKit.Testing;

/// <summary>A quota per account in each Region, made when the account first calls there, all following the same settings.</summary>
internal sealed class QuotaBook(SesEmulatorOptions options, Func<TimeSpan> clock)
{
    private readonly ConcurrentDictionary<(string Account, string Region), ServerQuota> _quotas = new();
    private readonly object _lock = new();
    private double _rate = options.RatePerSecond;
    private double _burst = options.Burst;

    public long SentToday => _quotas.Values.Sum(q => q.SentToday);

    public long SentTodayBy(string account, string region) => _quotas.TryGetValue((account, region), out var quota) ? quota.SentToday : 0;

    public EmulatorOutcome TryConsume(string account, string region, int cost, out TimeSpan decidedAt)
    {
        var quota = _quotas.GetOrAdd((account, region), _ =>
        {
            lock (_lock)
            {
                return new ServerQuota(_rate, _burst, options.DailyQuota, clock());
            }
        });
        decidedAt = clock();
        return quota.TryConsume(cost, decidedAt);
    }

    public void Change(double rate, double burst)
    {
        lock (_lock)
        {
            _rate = rate;
            _burst = burst;
            foreach (var quota in _quotas.Values)
            {
                quota.Change(rate, burst, clock());
            }
        }
    }
}
