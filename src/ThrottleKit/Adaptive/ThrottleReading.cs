namespace ThrottleKit;

/// <summary>Which reading of the service's answers set the rate after a throttle.</summary>
internal enum ThrottleReading
{
    /// <summary>What the service accepted between the last decrease and this throttle: its quota.</summary>
    SinceLastDecrease,

    /// <summary>What the service accepted over the last second, while the rate climbed.</summary>
    LastSecond,

    /// <summary>Nothing: the rate was cut by the decrease factor.</summary>
    NothingMeasured,
}
