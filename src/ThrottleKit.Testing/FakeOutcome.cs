namespace ThrottleKit.Testing;

/// <summary>What a <see cref="FakeThrottledExecutor"/>'s script made of an attempt.</summary>
public enum FakeOutcome
{
    /// <summary>Nothing was scripted: the operation ran.</summary>
    Ran = 0,

    /// <summary>Throttled, as a service over its quota answers; the operation did not run, and the call is retried.</summary>
    Throttled = 1,

    /// <summary>Failed with a scripted error that is not a throttle; the operation did not run, and the error surfaced.</summary>
    Failed = 2,
}
