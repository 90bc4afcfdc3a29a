namespace ThrottleKit;

/// <summary>Where the rate goes after a throttle.</summary>
internal readonly struct ThrottleDecision
{
    public ThrottleDecision(double rate, double peak, double accepted, ThrottleReading reading)
    {
        Rate = rate;
        Peak = peak;
        Accepted = accepted;
        Reading = reading;
    }

    /// <summary>Gets the new rate.</summary>
    public double Rate { get; }

    /// <summary>Gets where the growth curve flattens: the quota as best known.</summary>
    public double Peak { get; }

    /// <summary>Gets the accepted rate the decision read, per second.</summary>
    public double Accepted { get; }

    /// <summary>Gets which reading it was.</summary>
    public ThrottleReading Reading { get; }
}
