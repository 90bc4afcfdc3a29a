using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// Settings of a <see cref="LeasingRateLimiter"/>: how long a lease of permits taken from the shared bucket lasts, and how
/// many permits one lease may hold. The limiter copies them when it is built. Bindable from configuration.
/// </summary>
public class LeasingRateLimiterOptions
{
    /// <summary>
    /// Gets or sets how long the permits of a lease may be spent after the shared bucket granted them; what is left then is
    /// given back. A lease holds about this long's worth of this process's demand, so a longer period means fewer calls to
    /// the store and a larger lease allowance: the fleet may put up to <c>rate · LeasePeriod</c> more into a window than
    /// the bucket's own bound, because a permit may be spent up to this long after the bucket counted it. Default 250 ms;
    /// between 10 ms and 10 s.
    /// </summary>
    [DurationRange(minimum: "00:00:00.010", maximum: "00:00:10")]
    public TimeSpan LeasePeriod { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets the most permits one lease may hold: at most the shared bucket's burst, as a lease is one acquire of
    /// that many permits. A request that costs more is taken from the shared bucket on its own. Default 100; between 1 and 10⁹.
    /// </summary>
    [NumberRange(1, Limits.MaxPermits, " permits")]
    public int MaxPermitsPerLease { get; set; } = 100;
}
