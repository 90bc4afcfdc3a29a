using System;

namespace ThrottleKit.Testing;

/// <summary>One attempt the emulator saw: one HTTP request, one item of a batch, or one SMTP message.</summary>
public sealed class EmulatorAttempt
{
    internal EmulatorAttempt(TimeSpan at, string protocol, string operation, string? invocationId, int cost, EmulatorOutcome outcome, TimeSpan decidedAt, string? item, string account, string region, DateTimeOffset? signedAt)
    {
        At = at;
        Protocol = protocol;
        Operation = operation;
        InvocationId = invocationId;
        Cost = cost;
        Outcome = outcome;
        DecidedAt = decidedAt;
        Item = item;
        Account = account;
        Region = region;
        SignedAt = signedAt;
    }

    /// <summary>Gets when its handling began, since the emulator started: what the client sent, as the service saw it.</summary>
    public TimeSpan At { get; }

    /// <summary>Gets the operation, e.g. <c>SendEmail</c>, <c>PutDialRequestBatch</c> (<c>SMTP</c> over SMTP).</summary>
    public string Operation { get; }

    /// <summary>Gets what it was charged: its recipients (SES) or 1.</summary>
    public int Cost { get; }

    /// <summary>Gets what the emulator did with it.</summary>
    public EmulatorOutcome Outcome { get; }

    /// <summary><c>awsQuery</c> (SES v1), <c>json</c> (SES v2, Connect Campaigns, awsJson services), <c>rest</c> (other REST services) or <c>smtp</c>.</summary>
    internal string Protocol { get; }

    /// <summary>The SDK's <c>amz-sdk-invocation-id</c>, the same for every attempt of one call; <see langword="null"/> over SMTP.</summary>
    internal string? InvocationId { get; }

    /// <summary>When the quota decided it, on the clock the quota refills by: the side that decides.</summary>
    internal TimeSpan DecidedAt { get; }

    /// <summary>For one item of a batch (each is recorded on its own), the item's id; otherwise <see langword="null"/>.</summary>
    internal string? Item { get; }

    /// <summary>The access key it was signed with (the SMTP user name over SMTP); each has its own quota.</summary>
    internal string Account { get; }

    /// <summary>The Region it was signed for; each has its own quota.</summary>
    internal string Region { get; }

    /// <summary>The time it was signed (<c>X-Amz-Date</c>), when it carried one.</summary>
    internal DateTimeOffset? SignedAt { get; }

    /// <summary>Whether the request was processed (its side effect happened), whatever the client heard.</summary>
    internal bool WasProcessed => Outcome is EmulatorOutcome.Accepted or EmulatorOutcome.ServerError or EmulatorOutcome.Stalled or EmulatorOutcome.Reset;
}
