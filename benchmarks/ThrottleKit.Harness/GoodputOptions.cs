using System;
using System.Collections.Generic;

namespace ThrottleKit.Harness;

/// <summary>The goodput experiment: one emulated quota, a crowd of senders, a fixed duration per strategy.</summary>
public sealed record GoodputOptions
{
    /// <summary>Gets the service's quota in calls per second (Q).</summary>
    public double Quota { get; init; } = 50;

    /// <summary>Gets the service's burst.</summary>
    public double Burst { get; init; } = 50;

    /// <summary>Gets how many concurrent senders call as fast as they can.</summary>
    public int Senders { get; init; } = 64;

    /// <summary>Gets how long each strategy runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets changes of the service's quota during the run, as when AWS raises or lowers an account's limit.</summary>
    public IReadOnlyList<QuotaChange> QuotaChanges { get; init; } = [];

    /// <summary>Gets how long calls still in flight at the end may finish before they are cut off.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the options of a run that finishes in well under a minute, for the test command.</summary>
    public static GoodputOptions Quick { get; } = new() { Duration = TimeSpan.FromSeconds(3), Grace = TimeSpan.FromSeconds(1) };
}

/// <summary>A change of the emulated quota at a moment of the run.</summary>
/// <param name="At">When, since the senders started.</param>
/// <param name="Quota">The new rate.</param>
/// <param name="Burst">The new burst.</param>
public sealed record QuotaChange(TimeSpan At, double Quota, double Burst);
