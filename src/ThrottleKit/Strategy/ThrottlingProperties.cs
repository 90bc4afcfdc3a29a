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
}
