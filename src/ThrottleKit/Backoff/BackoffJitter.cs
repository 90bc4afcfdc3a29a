namespace ThrottleKit;

/// <summary>How an <see cref="ExponentialBackoff"/> randomises its delays. Whatever the mode, no delay exceeds <see cref="ExponentialBackoffOptions.MaxDelay"/>.</summary>
public enum BackoffJitter
{
    /// <summary>No randomness: the n-th retry waits exactly <c>min(MaxDelay, MinDelay · 2ⁿ)</c>.</summary>
    None = 0,

    /// <summary>"Full jitter": a uniform delay in <c>[0, d]</c> where <c>d</c> is the un-jittered delay. Least total work for a crowd of clients, but may wait almost nothing.</summary>
    Full = 1,

    /// <summary>"Equal jitter": <c>d/2 + uniform[0, d/2]</c>. Never waits less than half the un-jittered delay, which suits throttles (a near-zero wait just gets throttled again).</summary>
    Equal = 2,

    /// <summary>"Decorrelated jitter" (Brooker): <c>min(MaxDelay, uniform[MinDelay, 3 · previous])</c>, starting from <c>previous = MinDelay</c>.</summary>
    Decorrelated = 3,
}
