using System;

namespace ThrottleKit.Testing;

/// <summary>One attempt a <see cref="FakeThrottledExecutor"/> made.</summary>
/// <param name="Call">Which call it belongs to, counting from 1 (a batch's every send is a call of its own).</param>
/// <param name="Attempt">Which attempt of that call, counting from 1.</param>
/// <param name="At">When it was made, in virtual time since the executor was created.</param>
/// <param name="Cost">The permits it took.</param>
/// <param name="Outcome">What the script made of it.</param>
public sealed record FakeAttempt(int Call, int Attempt, TimeSpan At, int Cost, FakeOutcome Outcome);
