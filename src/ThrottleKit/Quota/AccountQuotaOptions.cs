using System;

namespace ThrottleKit.Quota;

/// <summary>How an <see cref="AccountQuotaMonitor"/> reads the account's quota. Bindable from configuration.</summary>
public sealed class AccountQuotaOptions
{
    /// <summary>The shortest refresh interval: a quota read is itself a call against a rate-limited API.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how often the quota is read again. Default one minute; at least one second.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets whether calls fail fast with <see cref="DailyQuotaExceededException"/> once the 24-hour quota is spent,
    /// rather than being sent to be refused. Default on; it applies only when the quota read has a 24-hour limit.
    /// </summary>
    public bool EnforceDailyQuota { get; set; } = true;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the exception names it and its value.</exception>
    public void Validate()
    {
        if (RefreshInterval < MinRefreshInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshInterval), RefreshInterval, $"{nameof(RefreshInterval)} must be at least {MinRefreshInterval}.");
        }
    }
}
