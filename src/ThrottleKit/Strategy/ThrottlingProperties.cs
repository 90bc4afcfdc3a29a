using Polly;

namespace ThrottleKit;

/// <summary>What a call tells the throttling strategy through its <see cref="ResilienceContext.Properties"/>.</summary>
public static class ThrottlingProperties
{
    /// <summary>
    /// Gets the key of the permits each attempt of the call takes (Amazon SES counts recipients, not calls); 1 when not set.
    /// Zero waits for the rate without spending it.
    /// </summary>
    public static ResiliencePropertyKey<int> Cost { get; } = new("ThrottleKit.Cost");

    /// <summary>
    /// Gets the key of the call's priority and flow when it has to wait for permits (<see cref="RequestPriority"/>); the
    /// strategy takes each attempt's permits in that <see cref="PriorityScope"/>. When not set, the scope the call was made in
    /// applies, and outside every scope <see cref="ThrottlePriority.Normal"/>.
    /// </summary>
    public static ResiliencePropertyKey<RequestPriority> Priority { get; } = new("ThrottleKit.Priority");
}
