using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// Settings of a <see cref="GcraRateLimiter"/>. The limiter copies them when it is built, so changing an instance afterwards
/// does not affect a running limiter (use <see cref="GcraRateLimiter.SetRate(double)"/>). Bindable from configuration.
/// </summary>
[AllowanceWithinBurst]
public class GcraRateLimiterOptions
{
    /// <summary>
    /// Gets or sets the sustained rate in permits per second. Fractional rates are exact: 0.5 grants one permit every two
    /// seconds, 14 grants fourteen a second. Required; between 0.000001 (one permit in about 11.6 days) and 10⁹.
    /// </summary>
    [NumberRange(Limits.MinRate, Limits.MaxRate, " permits per second")]
    public virtual double PermitsPerSecond { get; set; }

    /// <summary>
    /// Gets or sets the bucket capacity: how many permits may be granted at once after an idle spell. When <see langword="null"/>
    /// (the default) it is one second of <see cref="PermitsPerSecond"/>, rounded down, and at least 1. Between 1 and 10⁹.
    /// </summary>
    [NumberRange(1, Limits.MaxPermits, " permits")]
    public int? Burst { get; set; }

    /// <summary>
    /// Gets or sets how many permits (summed over requests) may wait in the queue. A request that would take the queue past
    /// this limit is not queued: <see cref="System.Threading.RateLimiting.RateLimiter.AcquireAsync(int, System.Threading.CancellationToken)"/>
    /// returns a lease whose <see cref="System.Threading.RateLimiting.RateLimitLease.IsAcquired"/> is <see langword="false"/>,
    /// carrying <see cref="System.Threading.RateLimiting.MetadataName.RetryAfter"/> and
    /// <see cref="System.Threading.RateLimiting.MetadataName.ReasonPhrase"/>. Default <see cref="int.MaxValue"/>: callers wait.
    /// </summary>
    [NumberRange(0, int.MaxValue)]
    public int QueueLimit { get; set; } = int.MaxValue;

    /// <summary>
    /// Gets or sets how much earlier than their spacing requests may reach the rate-limited service: network delays vary, and
    /// a request that travels faster than the one before it arrives early. The limiter keeps this much of the burst in hand
    /// so that such a request still finds a permit at the service. It costs nothing of the sustained rate while
    /// <see cref="Burst"/> is at least 2 (the first burst is a little smaller); with a burst of 1 it lengthens each interval
    /// by the allowance. Between zero (the default: the limiter's own arithmetic, exactly) and one second, and with a burst of
    /// 2 or more at most (<see cref="Burst"/> − 1) ÷ <see cref="PermitsPerSecond"/>, so that it never cuts the sustained rate.
    /// </summary>
    [DurationRange(maximum: "00:00:01")]
    public TimeSpan JitterAllowance { get; set; }

    /// <summary>
    /// Gets or sets whether the bucket starts empty but for one permit, filling at the rate from then on, instead of full
    /// (the default, as <c>System.Threading.RateLimiting</c>'s token bucket starts). Starting empty suits a limiter that stands
    /// in for a service's bucket: a process that has just started cannot know what others (or its own previous instance, a
    /// moment before a restart) spent there, and its first requests are slow to leave (JIT, new connections) and reach the
    /// service bunched with the next ones; the service's own burst then absorbs that instead of throttling it.
    /// </summary>
    public bool StartEmpty { get; set; }

    /// <summary>
    /// Gets or sets whether a request may cost more than <see cref="Burst"/>. When on, such a request is granted once the bucket
    /// is full and leaves it in debt, which later requests wait out (an Amazon SES message may have 50 recipients against a
    /// quota of 14 a second); its debt may not exceed a day of the rate. When off (the default, as
    /// <c>System.Threading.RateLimiting</c>'s limiters do), such a request is refused with <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public bool AllowBorrowing { get; set; }

    /// <summary>
    /// Gets or sets the share of the rate assured to each priority below the highest one with requests waiting, while it has
    /// requests waiting (<see cref="ThrottlePriority"/>, <see cref="PriorityScope"/>): urgent requests are granted first,
    /// and bulk ones still receive at least this share, so they never starve. Nothing changes for requests that name no
    /// priority. Default 0.1 (10 %); between 0 and 0.3.
    /// </summary>
    [NumberRange(0, 0.3)]
    public double PriorityFloor { get; set; } = 0.1;
}
