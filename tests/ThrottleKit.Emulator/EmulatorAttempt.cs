using System;

namespace ThrottleKit.Emulator;

/// <summary>One HTTP attempt the emulator saw.</summary>
/// <param name="At">When its handler started, since the emulator started: what the client sent, as the service saw it.</param>
/// <param name="Protocol"><c>awsQuery</c> (SES-like) or <c>json</c> (Connect Campaigns-like).</param>
/// <param name="Operation">The action or target operation, e.g. <c>GetCallerIdentity</c>.</param>
/// <param name="InvocationId">The SDK's <c>amz-sdk-invocation-id</c>, the same for every attempt of one call.</param>
/// <param name="Cost">The quota it was charged (recipients), whatever the outcome.</param>
/// <param name="Outcome">What the emulator did with it.</param>
/// <param name="DecidedAt">When the quota decided its outcome, on the clock the quota refills by: the side that decides.</param>
/// <param name="Item">For one entry of a batch call (each is recorded on its own), the entry's id; otherwise <see langword="null"/>.</param>
public sealed record EmulatorAttempt(TimeSpan At, string Protocol, string Operation, string? InvocationId, int Cost, EmulatorOutcome Outcome, TimeSpan DecidedAt, string? Item = null)
{
    /// <summary>Gets whether the request was processed (its side effect happened), whatever the client heard.</summary>
    public bool WasProcessed => Outcome is EmulatorOutcome.Accepted or EmulatorOutcome.ServerError or EmulatorOutcome.Stalled or EmulatorOutcome.Reset;
}
