using System;
using System.Globalization;

namespace ThrottleKit;

/// <summary>
/// A call was not sent because the account's 24-hour quota, as last read, is spent. Nothing was sent; retrying before sends
/// age past 24 hours (or AWS raises the quota) cannot succeed.
/// </summary>
public sealed class DailyQuotaExceededException : Exception
{
    /// <summary>Creates the exception with a message that says what was read and what the call needed.</summary>
    /// <param name="max24HourPermits">The 24-hour quota.</param>
    /// <param name="usedLast24Hours">What was spent, counting the calls made since the quota was read.</param>
    /// <param name="requestedPermits">What the refused call needed.</param>
    /// <param name="readAt">When the quota was read.</param>
    public DailyQuotaExceededException(double max24HourPermits, double usedLast24Hours, int requestedPermits, DateTimeOffset readAt)
        : base(string.Format(
            CultureInfo.InvariantCulture,
            "The 24-hour quota is spent: {0} of {1} used (read at {2:O}, plus the calls made since), and this call needs {3}. It was not sent.",
            usedLast24Hours,
            max24HourPermits,
            readAt,
            requestedPermits))
    {
        Max24HourPermits = max24HourPermits;
        UsedLast24Hours = usedLast24Hours;
        RequestedPermits = requestedPermits;
        ReadAt = readAt;
    }

    /// <summary>Creates the exception with a message of your own (for serializers and mocks).</summary>
    /// <param name="message">The message.</param>
    public DailyQuotaExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DailyQuotaExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a standard message.</summary>
    public DailyQuotaExceededException()
        : base("The 24-hour quota is spent.")
    {
    }

    /// <summary>Gets the 24-hour quota.</summary>
    public double Max24HourPermits { get; }

    /// <summary>Gets what was spent, counting the calls made since the quota was read.</summary>
    public double UsedLast24Hours { get; }

    /// <summary>Gets what the refused call needed.</summary>
    public int RequestedPermits { get; }

    /// <summary>Gets when the quota was read.</summary>
    public DateTimeOffset ReadAt { get; }
}
