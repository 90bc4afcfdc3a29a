using System;
using System.Collections.Concurrent;
using System.Linq;

namespace ThrottleKit.Testing;

/// <summary>A quota per account in each Region, made when the account first calls there, all following the same settings.</summary>
internal sealed class QuotaBook(SesEmulatorOptions options, Func<TimeSpan> clock)
{
    private readonly ConcurrentDictionary<(string Account, string Region), ServerQuota> _quotas = new();
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, string> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _regionRates = new(options.RegionRates, StringComparer.Ordinal);
    private double _rate = options.RatePerSecond;
    private double _burst = options.Burst;

    public long SentToday => _quotas.Values.Sum(q => q.SentToday);

    public long SentTodayBy(string accessKey, string region) => _quotas.TryGetValue((AccountOf(accessKey), region), out var quota) ? quota.SentToday : 0;

    public EmulatorOutcome TryConsume(string accessKey, string region, int cost, out TimeSpan decidedAt)
    {
        var quota = _quotas.GetOrAdd((AccountOf(accessKey), region), _ =>
        {
            lock (_lock)
            {
                var (rate, burst) = QuotaIn(region);
                return new ServerQuota(rate, burst, options.DailyQuota, clock());
            }
        });
        decidedAt = clock();
        return quota.TryConsume(cost, decidedAt);
    }

    /// <summary>Notes that <paramref name="accessKey"/> is a session the emulator handed out for a role of <paramref name="account"/>.</summary>
    public void Issue(string accessKey, string account) => _issued[accessKey] = account;

    /// <summary>The account whose quota a request signed with <paramref name="accessKey"/> spends: a session's role's, else as the options say, else the key's own.</summary>
    public string AccountOf(string accessKey)
        => _issued.TryGetValue(accessKey, out var account) ? account : options.AccountOfAccessKey?.Invoke(accessKey) ?? accessKey;

    /// <summary>The rate and burst of the quota in <paramref name="region"/>.</summary>
    public (double Rate, double Burst) QuotaIn(string region)
    {
        lock (_lock)
        {
            return _regionRates.TryGetValue(region, out var rate) ? (rate, Math.Max(1, Math.Floor(rate))) : (_rate, _burst);
        }
    }

    /// <summary>Sets every Region's quota to one rate and burst.</summary>
    public void Change(double rate, double burst)
    {
        lock (_lock)
        {
            _rate = rate;
            _burst = burst;
            _regionRates.Clear();
            foreach (var quota in _quotas.Values)
            {
                quota.Change(rate, burst, clock());
            }
        }
    }
}
