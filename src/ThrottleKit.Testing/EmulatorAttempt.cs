using System;

namespace ThrottleKit.Testing;

/// <summary>One attempt the emulator saw: one HTTP request, one item of a batch, or one SMTP message.</summary>
/// <param name="At">When its handling began, since the emulator started: what the client sent, as the service saw it.</param>
/// <param name="Protocol"><c>awsQuery</c> (SES v1), <c>json</c> (SES v2, Connect Campaigns, awsJson services), <c>rest</c> (other REST services) or <c>smtp</c>.</param>
/// <param name="Operation">The operation, e.g. <c>SendEmail</c>, <c>PutDialRequestBatch</c>.</param>
/// <param name="InvocationId">The SDK's <c>amz-sdk-invocation-id</c>, the same for every attempt of one call; <see langword="null"/> over SMTP.</param>
/// <param name="Cost">What it was charged: its recipients (SES) or 1.</param>
/// <param name="Outcome">What the emulator did with it.</param>
/// <param name="DecidedAt">When the quota decided it, on the clock the quota refills by: the side that decides.</param>
/// <param name="Item">For one item of a batch (each is recorded on its own), the item's id; otherwise <see langword="null"/>.</param>
/// <param name="Account">The access key it was signed with (the SMTP user name over SMTP); each has its own quota.</param>
/// <param name="Region">The Region it was signed for; each has its own quota.</param>
/// <param name="SignedAt">The time it was signed (<c>X-Amz-Date</c>), when it carried one.</param>
public sealed record EmulatorAttempt(
    TimeSpan At,
    string Protocol,
    string Operation,
    string? InvocationId,
    int Cost,
    EmulatorOutcome Outcome,
    TimeSpan DecidedAt,
    string? Item = null,
    string Account = "",
    string Region = "",
    DateTimeOffset? SignedAt = null)
{
    /// <summary>Gets whether the request was processed (its side effect happened), whatever the client heard.</summary>
    public bool WasProcessed => Outcome is EmulatorOutcome.Accepted or EmulatorOutcome.ServerError or EmulatorOutcome.Stalled or EmulatorOutcome.Reset;
}
