using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>How an <see cref="AccountQuotaMonitor"/> reads the account's quota. Bindable from configuration.</summary>
public sealed class AccountQuotaOptions
{
    /// <summary>
    /// Gets or sets how often the quota is read again. Default one minute; between one second (a quota read is itself a call
    /// against a rate-limited API) and one day.
    /// </summary>
    [DurationRange(minimum: "00:00:01")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets whether calls fail fast with <see cref="DailyQuotaExceededException"/> once the 24-hour quota is spent,
    /// rather than being sent to be refused. Default on; it applies only when the quota read has a 24-hour limit.
    /// </summary>
    public bool EnforceDailyQuota { get; set; } = true;
}
