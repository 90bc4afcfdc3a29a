using System;

namespace ThrottleKit.Testing;

/// <summary>One attempt a <see cref="FakeThrottledExecutor"/> made.</summary>
public sealed class FakeAttempt
{
    internal FakeAttempt(int call, int attempt, TimeSpan at, int cost, FakeOutcome outcome)
    {
        Call = call;
        Attempt = attempt;
        At = at;
        Cost = cost;
        Outcome = outcome;
    }

    /// <summary>Gets which call it belongs to, counting from 1 (a batch's every send is a call of its own).</summary>
    public int Call { get; }

    /// <summary>Gets which attempt of that call, counting from 1.</summary>
    public int Attempt { get; }

    /// <summary>Gets the permits it took.</summary>
    public int Cost { get; }

    /// <summary>Gets what the script made of it.</summary>
    public FakeOutcome Outcome { get; }

    /// <summary>When it was made, in virtual time since the executor was created.</summary>
    internal TimeSpan At { get; }
}
