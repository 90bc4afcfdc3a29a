namespace ThrottleKit;

/// <summary>
/// How urgently a request needs its permits when it has to wait for them. A waiting request of a higher priority is
/// granted before any of a lower one, except that each lower priority with requests waiting is assured a floor of the rate
/// (<see cref="GcraRateLimiterOptions.PriorityFloor"/>), so that bulk work never starves behind urgent work.
/// </summary>
public enum ThrottlePriority
{
    /// <summary>Someone is waiting for it: a password reset, a one-time code, a receipt.</summary>
    High = 0,

    /// <summary>Every request that names no priority.</summary>
    Normal = 1,

    /// <summary>Hours are fine: a newsletter, a campaign, a backfill.</summary>
    Low = 2,
}
