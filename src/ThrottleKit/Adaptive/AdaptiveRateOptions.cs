using System;

namespace ThrottleKit.Adaptive;

/// <summary>Settings of an <see cref="AdaptiveRateLimiter"/>. Bindable from configuration.</summary>
public sealed class AdaptiveRateOptions
{
    /// <summary>Gets or sets whether the rate adapts to the throttles the service answers. Default off: the configured rate is used as it is.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the lowest rate the controller will go to, in permits per second. Default 0.1.</summary>
    public double MinPermitsPerSecond { get; set; } = 0.1;

    /// <summary>Gets or sets the highest rate the controller will go to, in permits per second. Default 10 000.</summary>
    public double MaxPermitsPerSecond { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets the cut when a throttle comes with no exact reading of the quota behind it (the first throttle, a quota
    /// that fell, or a burst the service had saved hiding its limit): the rate, or what the service accepted over the last
    /// second, is multiplied by this, and the next throttles measure the quota. Default 0.5.
    /// </summary>
    public double DecreaseFactor { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets how far below the measured quota the controller settles after a throttle, as a fraction. Default 0.02:
    /// 2% under the quota the service just demonstrated.
    /// </summary>
    public double Margin { get; set; } = 0.02;

    /// <summary>
    /// Gets or sets how fast the rate grows back (the C of the cubic curve <c>rate(t) = peak · (1 + C · (t − K)³)</c>, t in seconds
    /// since the end of the hold after the last decrease, see <see cref="HoldTime"/>): near the quota measured it grows slowly, far
    /// from it quickly, so a raised quota is found in seconds. Default 0.6.
    /// </summary>
    public double Growth { get; set; } = 0.6;

    /// <summary>
    /// Gets or sets how long after a decrease further throttles are taken as the same congestion event (answers to requests
    /// sent before the decrease); at low rates the window is longer, so that a few answers lie behind the next reading.
    /// Default 100 ms: a round trip to AWS.
    /// </summary>
    public TimeSpan CongestionWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets or sets how long the rate holds after a decrease before it grows again. The service has just shown its quota;
    /// probing above it at once costs throttles, and every probe costs one. A throttle within the hold continues the
    /// congestion episode: the service has been throttling since the decrease, so what it accepted since then is its quota.
    /// Default one second.
    /// </summary>
    public TimeSpan HoldTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the exception names it and its value.</exception>
    public void Validate()
    {
        Require(MinPermitsPerSecond > 0 && !double.IsInfinity(MinPermitsPerSecond), nameof(MinPermitsPerSecond), MinPermitsPerSecond, "must be positive and finite");
        Require(MaxPermitsPerSecond >= MinPermitsPerSecond && !double.IsInfinity(MaxPermitsPerSecond), nameof(MaxPermitsPerSecond), MaxPermitsPerSecond, $"must be finite and at least {nameof(MinPermitsPerSecond)} ({MinPermitsPerSecond})");
        Require(DecreaseFactor > 0 && DecreaseFactor < 1, nameof(DecreaseFactor), DecreaseFactor, "must be between 0 and 1");
        Require(Margin >= 0 && Margin < 1, nameof(Margin), Margin, "must be in [0, 1)");
        Require(Growth > 0 && !double.IsInfinity(Growth), nameof(Growth), Growth, "must be positive and finite");
        Require(CongestionWindow >= TimeSpan.Zero, nameof(CongestionWindow), CongestionWindow, "must not be negative");
        Require(HoldTime >= TimeSpan.Zero, nameof(HoldTime), HoldTime, "must not be negative");
    }

    private static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
        }
    }
}
