namespace ThrottleKit.Harness.Tests;

/// <summary>
/// The harness runs measure throughput, and the fleet run starts four processes: run side by side on two cores, one would
/// starve the other's senders and measure the machine, not the strategy. One collection runs them one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HarnessRuns
{
    public const string Name = "Harness runs";
}
