using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>Settings of an <see cref="AdaptiveRateLimiter"/>. Bindable from configuration.</summary>
[NotBelow(nameof(MaxPermitsPerSecond), nameof(MinPermitsPerSecond))]
public sealed class AdaptiveRateOptions
{
    /// <summary>Gets or sets whether the rate adapts to the throttles the service answers. Default off: the configured rate is used as it is.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Gets or sets the lowest rate the controller will go to, in permits per second. Default 0.1. An account quota below it
    /// (<see cref="AdaptiveRateLimiter.SetMaxRate"/>) lowers it: the lower of the two wins.
    /// </summary>
    [NumberRange(Limits.MinRate, Limits.MaxRate, " permits per second")]
    public double MinPermitsPerSecond { get; set; } = 0.1;

    /// <summary>Gets or sets the highest rate the controller will go to, in permits per second. Default 10 000; not below the floor.</summary>
    [NumberRange(Limits.MinRate, Limits.MaxRate, " permits per second")]
    public double MaxPermitsPerSecond { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets the cut when a throttle comes with no exact reading of the quota behind it (the first throttle, a quota
    /// that fell, or a burst the service had saved hiding its limit): the rate, or what the service accepted over the last
    /// second, is multiplied by this, and the next throttles measure the quota. Default 0.5; between 0.01 and 0.99.
    /// </summary>
    [NumberRange(0.01, 0.99)]
    public double DecreaseFactor { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets how far below the measured quota the controller settles after a throttle, as a fraction. Default 0.02:
    /// 2% under the quota the service just demonstrated. Between 0 and 0.5.
    /// </summary>
    [NumberRange(0, 0.5)]
    public double Margin { get; set; } = 0.02;

    /// <summary>
    /// Gets or sets how fast the rate grows back (the C of the cubic curve <c>rate(t) = peak · (1 + C · (t − K)³)</c>, t in seconds
    /// since the end of the hold after the last decrease, see <see cref="HoldTime"/>): near the quota measured it grows slowly, far
    /// from it quickly, so a raised quota is found in seconds. Default 0.6; between 0.01 and 10.
    /// </summary>
    [NumberRange(0.01, 10)]
    public double Growth { get; set; } = 0.6;

    /// <summary>
    /// Gets or sets how long after a decrease further throttles are taken as the same congestion event (answers to requests
    /// sent before the decrease); at low rates the window is longer, so that a few answers lie behind the next reading.
    /// Default 100 ms: a round trip to AWS. Between zero and one minute.
    /// </summary>
    [DurationRange(maximum: "00:01:00")]
    public TimeSpan CongestionWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets or sets how long the rate holds after a decrease before it grows again. The service has just shown its quota;
    /// probing above it at once costs throttles, and every probe costs one. A throttle within the hold continues the
    /// congestion episode: the service has been throttling since the decrease, so what it accepted since then is its quota.
    /// Default one second; between zero and one hour.
    /// </summary>
    [DurationRange(maximum: "01:00:00")]
    public TimeSpan HoldTime { get; set; } = TimeSpan.FromSeconds(1);
}
