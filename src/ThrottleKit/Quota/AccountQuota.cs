using System;
using ThrottleKit.Internal;
using System.Globalization;

namespace ThrottleKit;

/// <summary>
/// An account's quota as the service reports it, for example Amazon SES's <c>GetSendQuota</c>:
/// <c>new AccountQuota(q.MaxSendRate, q.Max24HourSend, q.SentLast24Hours)</c>.
/// </summary>
public sealed class AccountQuota
{
    /// <summary>Creates a quota reading.</summary>
    /// <param name="maxPermitsPerSecond">The rate the account may call at (SES <c>MaxSendRate</c>, recipients per second).</param>
    /// <param name="max24HourPermits">What the account may spend in 24 hours (SES <c>Max24HourSend</c>); <see langword="null"/> or negative (SES's −1) when there is no such limit.</param>
    /// <param name="usedLast24Hours">What it spent in the last 24 hours (SES <c>SentLast24Hours</c>); <see langword="null"/> when unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPermitsPerSecond"/> is not between 0.000001 and 10⁹, or <paramref name="usedLast24Hours"/> is negative or not finite.</exception>
    public AccountQuota(double maxPermitsPerSecond, double? max24HourPermits = null, double? usedLast24Hours = null)
    {
        Guard.Rate(maxPermitsPerSecond);
        if (usedLast24Hours is { } used && (used < 0 || double.IsNaN(used) || double.IsInfinity(used)))
        {
            throw new ArgumentOutOfRangeException(nameof(usedLast24Hours), used, $"{nameof(usedLast24Hours)} must be a finite number, not negative.");
        }

        MaxPermitsPerSecond = maxPermitsPerSecond;
        Max24HourPermits = max24HourPermits is { } max && max >= 0 && !double.IsNaN(max) ? max : null;
        UsedLast24Hours = usedLast24Hours;
    }

    /// <summary>Gets the rate the account may call at, in permits per second.</summary>
    public double MaxPermitsPerSecond { get; }

    /// <summary>Gets what the account may spend in 24 hours, or <see langword="null"/> when it has no such limit.</summary>
    public double? Max24HourPermits { get; }

    /// <summary>Gets what the account spent in the last 24 hours, or <see langword="null"/> when unknown.</summary>
    public double? UsedLast24Hours { get; }

    /// <inheritdoc />
    public override string ToString()
        => MaxPermitsPerSecond.ToString(CultureInfo.InvariantCulture) + "/s, "
            + (UsedLast24Hours?.ToString(CultureInfo.InvariantCulture) ?? "?") + " of "
            + (Max24HourPermits?.ToString(CultureInfo.InvariantCulture) ?? "unlimited") + " in 24 h";
}
