using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// Settings of the capped exponential backoff: the n-th retry (n = 0, 1, 2 …) waits <c>min(MaxDelay, MinDelay · 2ⁿ)</c>,
/// optionally jittered. Defaults follow AWS's guidance for Amazon SES throttling. Bindable from configuration.
/// </summary>
[NotBelow(nameof(MaxDelay), nameof(MinDelay))]
public sealed class ExponentialBackoffOptions
{
    /// <summary>Gets or sets the delay before the first retry. Default 10 ms; between zero and one day.</summary>
    [DurationRange]
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets the longest delay between two attempts, jitter included. Default 5 s; between <see cref="MinDelay"/> and one day.</summary>
    [DurationRange]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many times a throttled call is retried, so a call makes at most <c>MaxRetries + 1</c> attempts. Default 10; between 0 and 100.</summary>
    [NumberRange(0, 100)]
    public int MaxRetries { get; set; } = 10;

    /// <summary>Gets or sets how delays are randomised. Default <see cref="BackoffJitter.None"/>: exactly <c>min(MaxDelay, MinDelay · 2ⁿ)</c>.</summary>
    [DefinedEnum]
    public BackoffJitter Jitter { get; set; } = BackoffJitter.None;
}
