namespace ThrottleKit.Aws.Tests.Support;

/// <summary>
/// Tests that change or measure what the whole process shares (<c>AWSConfigs</c>, the managed heap, the count of timers)
/// run in this collection, alone, after every other test of the assembly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWide
{
    public const string Name = "Process-wide";
}
