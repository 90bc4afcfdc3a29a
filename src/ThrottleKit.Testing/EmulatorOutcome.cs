namespace ThrottleKit.Testing;

/// <summary>What the emulator did with one attempt.</summary>
public enum EmulatorOutcome
{
    /// <summary>Processed and answered with success.</summary>
    Accepted,

    /// <summary>Refused for the rate: SES <c>Throttling</c> "Maximum sending rate exceeded.", Connect Campaigns <c>ThrottlingException</c> (429), SMTP 454.</summary>
    Throttled,

    /// <summary>Refused for the 24-hour quota: SES "Daily message quota exceeded.".</summary>
    DailyQuotaExceeded,

    /// <summary>Processed, then answered with a 5xx.</summary>
    ServerError,

    /// <summary>Processed, then left without an answer until the client gave up.</summary>
    Stalled,

    /// <summary>Processed, then the connection was dropped.</summary>
    Reset,

    /// <summary>Refused before anything else: signed too far from the service's time (clock skew), as AWS refuses it.</summary>
    SignatureExpired,

    /// <summary>Refused for good: SES <c>MessageRejected</c>, a recipient is not verified.</summary>
    Rejected,
}
